"""Imports the WSGI app named by CDK_WSGI_APP (or another callable by its
`package.module:attr`), or stands in for the app with a 500 app."""

from __future__ import annotations

import importlib

from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from .compat import StartResponse, WSGIApplication, WSGIEnvironment


def import_app(spec: str) -> WSGIApplication:
    """Import `package.module:attr` (attr may be dotted, e.g. `app:server.wsgi_app`)."""
    app: WSGIApplication = import_callable(spec)
    return app


def import_callable(spec: str) -> Any:
    """Import the callable `package.module:attr` (attr may be dotted)."""
    module_name, colon, attr = spec.partition(":")
    if not (colon and module_name and attr):
        raise ValueError(f"expected 'package.module:attr', got {spec!r}")
    target: Any = importlib.import_module(module_name)
    for name in attr.split("."):
        target = getattr(target, name)
    if not callable(target):
        raise TypeError(f"{spec!r} is not callable")
    return target


def unavailable_app(reason: str) -> WSGIApplication:
    """A WSGI app that logs `reason` and answers every request with a plain 500."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        logger().error(
            "no WSGI app to serve %s: %s", environ["PATH_INFO"] or "/", reason
        )
        start_response(
            "500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")]
        )
        return [b"Internal Server Error"]

    return app
