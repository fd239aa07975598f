"""Run a WSGI app on AWS Lambda behind API Gateway, Function URLs and ALB.

`handler` is the Lambda entry point used by the cdk-wsgi construct (handler string
`cdk_wsgi_adapter.handler`): it serves the app named by CDK_WSGI_APP, imported once,
during the init phase. `make_handler` builds the same adapter around any WSGI app,
without CDK. `task` registers a background task (tasks.py).

Importing the package builds nothing, so `from cdk_wsgi_adapter import make_handler`
reads no variable and imports no app: `handler` is built on its first lookup, and
`task` imported on its first (the tasks module is the app's cost only). Lambda's
Python runtime looks it up right after the import, in the init phase (awslambdaric's
bootstrap._get_handler), so the app's import, priming and the SnapStart hook still
happen there, before the first request and before a snapshot is taken.
"""

from __future__ import annotations

import os
import sys

from .adapter import handler_for, make_handler
from .config import (
    APP_VARIABLE,
    LOCAL_HTTP_VARIABLE,
    PRIME_VARIABLE,
    SNAP_START_VARIABLE,
    load_settings,
    parse_prime,
)
from .exceptions import UnsupportedEventError
from .loader import import_app, unavailable_app
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from .adapter import Handler
    from .compat import WSGIApplication
    from .tasks import task

__all__ = ["UnsupportedEventError", "handler", "make_handler", "task"]


def _load_app(spec: str | None) -> tuple[WSGIApplication, bool]:
    """The app named by `spec`, and whether it imported (else a stand-in 500 app)."""
    if spec is None:
        # The construct always sets it; without it, each request says why it is a 500.
        return unavailable_app(f"{APP_VARIABLE} is not set"), False
    try:
        return import_app(spec), True
    except Exception as exc:
        logger().exception("cannot import the WSGI app %s=%r", APP_VARIABLE, spec)
        return unavailable_app(f"importing {spec!r} failed at init: {exc!r}"), False


def _init(environ: Mapping[str, str]) -> Handler:
    """The handler for the app `environ` names, with SnapStart hooks and priming as
    the construct asked for them; their modules are imported only then."""
    spec, options = load_settings(environ)
    if environ.get(SNAP_START_VARIABLE) == "1":
        from .snapstart import register_hooks

        # Before the app's import: after-restore hooks run in the order registered,
        # so the app's own already draw from a re-seeded `random`.
        register_hooks()
    app, imported = _load_app(spec)
    if environ.get(LOCAL_HTTP_VARIABLE) == "1":
        from .local import served_over_http

        app = served_over_http(app)
    handler = handler_for(app, options)
    value = environ.get(PRIME_VARIABLE, "").strip()
    # An app that failed to import is reported already: priming it would add noise.
    config = parse_prime(value) if value and imported else None
    if config is not None:
        from .prime import prime

        prime(handler, config, options)
    return handler


if TYPE_CHECKING:
    #: The Lambda handler for the app named by CDK_WSGI_APP, built on first lookup.
    handler: Handler


def __getattr__(name: str) -> object:
    """Build `handler`, or import `task`, on its first lookup and keep it as the
    module's attribute, so that later lookups find it without coming here."""
    if name == "task":
        from .tasks import task

        globals()["task"] = task
        return task
    if name != "handler":
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r}",
            name=name,
            obj=sys.modules[__name__],
        )
    built = globals()["handler"] = _init(os.environ)
    return built
