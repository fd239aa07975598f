"""One invocation, told apart by the event's top-level shape, in this order:

1. events naming their `source` (HTTP events never do): a management or scheduled
   command, a background task, an EventBridge rule's event for an event handler, a
   warm-up; these modules are imported only when such an event comes;
2. HTTP events (sources.detect): environ, app, response, size guard;
3. anything else: handed to the event handler registered for its records' source and
   ARN (SQS, Kinesis, DynamoDB, S3, SNS), or logged and refused.
"""

from __future__ import annotations

from .config import COMMAND_SOURCE, RULE_EVENT_SOURCE, TASK_SOURCE, Options
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
    from .event_handlers import EventHandlers
    from .exceptions import UnsupportedEventError
    from .sources.base import EventSource

    # Json for HTTP events; an event handler's result passes through as it is.
    Handler = Callable[[Any, Any], Json]


def make_handler(
    app: WSGIApplication,
    *,
    text_media_types: Iterable[str] = (),
    binary_media_types: Iterable[str] | None = None,
    base_paths: Mapping[str, str] | None = None,
    origin_secret: str | None = None,
    event_handlers: Iterable[Mapping[str, str]] = (),
) -> Handler:
    """Wrap a WSGI app as a Lambda handler `handler(event, context)`; the options are
    the construct's: extra text media types, the REST API's binaryMediaTypes (None for
    other front doors), custom domain -> base path, the secret its CloudFront
    distribution sends (distribution.py), and the callables that take other events
    (`{"handler": "module:attr", "source": "aws:sqs", "arn": queue ARN}`...:
    event_handlers.py; ValueError if malformed)."""
    handlers = None
    if event_handlers:
        from .event_handlers import EventHandlers

        handlers = EventHandlers(event_handlers)
    options = Options(
        text_media_types=text_media_types,
        binary_media_types=binary_media_types,
        base_paths=base_paths,
        origin_secret=origin_secret,
        event_handlers=handlers,
    )
    return handler_for(app, options)


def handler_for(app: WSGIApplication, options: Options) -> Handler:
    """The Lambda handler serving `app` with already parsed `options`."""
    secret = options.origin_secret
    if secret is not None:
        # Only with a distribution: hmac loads OpenSSL (hashlib), as many instructions
        # as the rest of the adapter's cold import (bench/instructions).
        from .distribution import from_viewer, refuse_direct

    handlers = options.event_handlers

    def handler(event: Any, context: Any) -> Any:
        """Answer one Lambda invocation."""
        if not isinstance(event, dict):
            raise _unsupported(event, handlers)
        # Commands, tasks, rule events and warm-ups name their source; HTTP events
        # never do. Each module is imported only when its event comes.
        if "source" in event:
            kind = event["source"]
            if kind == COMMAND_SOURCE:
                from .management import answer_command

                return answer_command(event, context, app)
            if kind == TASK_SOURCE:
                from .tasks import answer_task

                return answer_task(event, context)
            if kind == RULE_EVENT_SOURCE:
                from .event_handlers import answer_rule_event

                return answer_rule_event(event, context, handlers)
            concurrency = warm_up_concurrency(event)
            if concurrency is not None:
                return answer_warm_up(concurrency, context)
        source = detect(event)
        if source is None:
            # SQS, S3, streams, SNS for a registered handler; anything else refused.
            from .event_handlers import answer_records

            return answer_records(event, context, handlers)
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
    from .event_handlers import describe

    return describe(event)


def _unsupported(event: Any, handlers: EventHandlers | None) -> UnsupportedEventError:
    from .event_handlers import unsupported

    return unsupported(event, handlers)


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
