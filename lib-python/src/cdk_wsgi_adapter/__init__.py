"""Run a WSGI app on AWS Lambda behind API Gateway, Function URLs and ALB.

`handler` is the Lambda entry point used by the cdk-wsgi construct (handler string
`cdk_wsgi_adapter.handler`): it serves the app named by CDK_WSGI_APP, imported once,
during the init phase. `make_handler` builds the same adapter around any WSGI app,
without CDK.
"""

from __future__ import annotations

import os

from .adapter import handler_for, make_handler
from .config import APP_VARIABLE, load_settings
from .exceptions import UnsupportedEventError
from .loader import import_app, unavailable_app
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import WSGIApplication

__all__ = ["UnsupportedEventError", "handler", "make_handler"]


def _load_app(spec: str | None) -> WSGIApplication:
    if spec is None:
        # Fine for make_handler users; only a request through `handler` reports it.
        return unavailable_app(f"{APP_VARIABLE} is not set")
    try:
        return import_app(spec)
    except Exception as exc:
        logger().exception("cannot import the WSGI app %s=%r", APP_VARIABLE, spec)
        return unavailable_app(f"importing {spec!r} failed at init: {exc!r}")


_spec, _options = load_settings(os.environ)
#: The Lambda handler for the app named by CDK_WSGI_APP.
handler = handler_for(_load_app(_spec), _options)
