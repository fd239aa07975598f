"""One invocation: warm-up or management command, source detection, environ, app,
response, size guard."""

from __future__ import annotations

from .config import COMMAND_SOURCE, Options
from .exceptions import UnsupportedEventError
from .log import logger
from .response import plain_response
from .runner import run_app
from .size import oversize
from .sources import detect
from .warmup import answer_warm_up, warm_up_concurrency

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from .compat import Json, WSGIApplication
    from .sources.base import EventSource

    Handler = Callable[[Any, Any], Json]


def make_handler(
    app: WSGIApplication,
    *,
    text_media_types: Iterable[str] = (),
    binary_media_types: Iterable[str] | None = None,
    base_paths: Mapping[str, str] | None = None,
    origin_secret: str | None = None,
) -> Handler:
    """Wrap a WSGI app as a Lambda handler `handler(event, context)`; the options are
    the construct's: extra text media types, the REST API's binaryMediaTypes (None for
    other front doors), custom domain -> base path, and the secret its CloudFront
    distribution sends (distribution.py)."""
    options = Options(
        text_media_types=text_media_types,
        binary_media_types=binary_media_types,
        base_paths=base_paths,
        origin_secret=origin_secret,
    )
    return handler_for(app, options)


def handler_for(app: WSGIApplication, options: Options) -> Handler:
    """The Lambda handler serving `app` with already parsed `options`."""
    secret = options.origin_secret
    if secret is not None:
        # Only with a distribution: hmac loads OpenSSL (hashlib), as many instructions
        # as the rest of the adapter's cold import (bench/instructions).
        from .distribution import from_viewer, refuse_direct

    def handler(event: Any, context: Any) -> Json:
        """Answer one Lambda invocation."""
        if not isinstance(event, dict):
            raise _unsupported(event)
        # Warm-ups and management commands name their source; HTTP events never do.
        if "source" in event:
            if event["source"] == COMMAND_SOURCE:
                from .management import answer_command  # only when a command comes

                return answer_command(event, context, app)
            concurrency = warm_up_concurrency(event)
            if concurrency is not None:
                return answer_warm_up(concurrency, context)
        source = detect(event)
        if source is None:
            raise _unsupported(event)
        try:
            environ = source.to_environ(event, context, options)
        except ValueError as exc:  # MalformedEventError, bad base64, unencodable text
            logger().error(
                "malformed %s event (%s): %s", source.NAME, _describe(event), exc
            )
            response = plain_response(400, "Bad Request")
        else:
            # Without a secret there is no distribution to tell requests apart by.
            if secret is None or from_viewer(environ, secret) or options.direct_access:
                response = run_app(app, environ)
            else:
                response = refuse_direct(environ)
        result = source.to_response(event, response, options)
        size = oversize(response, result, source.RESPONSE_LIMIT)
        if size is not None:
            result = _too_large(source, event, size, options)
        return result

    return handler


def _describe(event: Any) -> str:
    if not isinstance(event, dict):
        return f"a {type(event).__name__}"
    keys = ", ".join(sorted(map(str, event))[:20])
    source, version = event.get("source"), event.get("version")
    return f"keys [{keys}], source {source!r}, version {version!r}"


def _unsupported(event: Any) -> UnsupportedEventError:
    message = (
        f"unsupported event ({_describe(event)}): cdk_wsgi_adapter serves API "
        "Gateway REST and HTTP APIs, Lambda Function URLs and ALB targets"
    )
    logger().error("%s", message)
    return UnsupportedEventError(message)


#: Each source's front door as the user knows it, for messages the client reads.
_FRONT_DOORS = {
    "rest_v1": "API Gateway",
    "http_v2": "an HTTP API",
    "function_url": "a function URL",
    "alb": "an Application Load Balancer",
}


def _too_large(source: EventSource, event: Json, size: int, options: Options) -> Json:
    message = (
        f"The response is {size} bytes once encoded for {_FRONT_DOORS[source.NAME]}, "
        f"over its limit of {source.RESPONSE_LIMIT} bytes."
    )
    logger().error("%s", message)
    return source.to_response(event, plain_response(502, message), options)
