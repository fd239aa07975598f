"""Events other than HTTP, handed to the callables the construct's addEventHandler
registered (CDK_WSGI_EVENT_HANDLERS): SQS, Kinesis, DynamoDB stream and S3 events by
the source and ARN their first record names, SNS by its topic, and EventBridge rule
events, which the rule's target wraps, naming the handler (RULE_EVENT_SOURCE).

A handler is called as `handler(event, context)` in the app's environment (the app
imported, its settings loaded), and what it returns is the invocation's result: an SQS
or stream batch's `{"batchItemFailures": [...]}` reaches Lambda untouched. It is
imported on its first event, once. An event that no handler takes, and one from no
source the adapter knows, is logged, naming what came and what was expected, and
raises UnsupportedEventError. Imported only for events that are not HTTP requests.
"""

from __future__ import annotations

from collections.abc import Mapping

from .config import (
    EVENT_HANDLERS_VARIABLE,
    EVENT_SOURCE_KINDS,
    RULE_EVENT_FIELDS,
    RULE_EVENT_SOURCE,
)
from .exceptions import UnsupportedEventError
from .job_exceptions import EventHandlerImportError
from .loader import import_callable
from .log import jobs_logger, logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .compat import Json

#: The kinds whose records name their source's ARN in `eventSourceARN`.
RECORD_ARN_KINDS = ("aws:sqs", "aws:kinesis", "aws:dynamodb")
#: Handlers named in a message, at most.
SHOWN = 10

#: `module:attr` -> the callable, once imported.
_imported: dict[str, Callable[[Any, Any], Any]] = {}


class EventHandlers:
    """The callables registered for event sources: the entries of
    CDK_WSGI_EVENT_HANDLERS, `{"handler": "module:attr", "source": kind, "arn":
    ...}`, by the kind and ARN of the events each takes (for RULE_EVENT_SOURCE, the
    ARN is the handler's own name)."""

    __slots__ = ("_by_source",)

    def __init__(self, entries: Iterable[Mapping[str, object]] = ()) -> None:
        """Raises ValueError naming the first malformed entry, or one whose kind and
        ARN already go to another handler (no event could tell which it is for)."""
        by_source: dict[tuple[str, str], str] = {}
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise ValueError(f"entry {index} is not an object: {_short(entry)}")
            handler, kind, arn = (entry.get(k) for k in ("handler", "source", "arn"))
            if not (isinstance(handler, str) and _is_path(handler)):
                problem = f"handler must be 'module:attr', got {_short(handler)}"
            elif kind not in EVENT_SOURCE_KINDS:
                kinds = ", ".join(EVENT_SOURCE_KINDS)
                problem = f"source must be one of {kinds}, got {_short(kind)}"
            elif not (isinstance(arn, str) and arn):
                problem = f"arn must be a non-empty string, got {_short(arn)}"
            elif kind == RULE_EVENT_SOURCE and arn != handler:
                problem = f"arn must be the handler's name for {kind}, got {arn!r}"
            elif by_source.get((str(kind), arn), handler) != handler:
                problem = f"{kind} {arn} goes to {by_source[(str(kind), arn)]} already"
            else:
                by_source[(str(kind), arn)] = handler
                continue
            raise ValueError(f"entry {index}: {problem}")
        self._by_source = by_source

    def find(self, kind: str, arn: object) -> str | None:
        """The handler registered for events of `kind` from `arn`, if any."""
        return self._by_source.get((kind, arn)) if isinstance(arn, str) else None

    def describe(self) -> str:
        """What the registered handlers take, for messages."""
        if not self._by_source:
            return (
                f"no event handler is registered ({EVENT_HANDLERS_VARIABLE} is empty "
                "or unset: addEventHandler registers them)"
            )
        shown = [
            f"{handler} for {kind} {arn}"
            for (kind, arn), handler in sorted(self._by_source.items())
        ]
        more = len(shown) - SHOWN
        return (
            f"the event handlers registered in {EVENT_HANDLERS_VARIABLE}: "
            + "; ".join(shown[:SHOWN])
            + (f"; and {more} more" if more > 0 else "")
        )


def parse_event_handlers(value: str) -> EventHandlers:
    """Parse CDK_WSGI_EVENT_HANDLERS; log an error and register none unless
    well-formed (HTTP requests are served either way)."""
    import json

    try:
        parsed = json.loads(value)
        if not isinstance(parsed, list):
            raise ValueError("not a JSON list")
        return EventHandlers(parsed)
    except ValueError as exc:
        logger().error(
            "%s is malformed (%s), so no event handler is registered; ignoring %r",
            EVENT_HANDLERS_VARIABLE,
            exc,
            value,
        )
        return EventHandlers()


def answer_records(event: Json, context: Any, handlers: EventHandlers | None) -> Any:
    """Hand an event of records (SQS, Kinesis, DynamoDB, S3, SNS) to the handler
    registered for its source; what it returns. Raises UnsupportedEventError for an
    event no handler takes."""
    found = records_source(event)
    if found is not None and handlers is not None:
        kind, arn = found
        handler = handlers.find(kind, arn)
        if handler is not None:
            return _call(handler, event, context, kind, arn)
    raise unsupported(event, handlers)


def answer_rule_event(event: Json, context: Any, handlers: EventHandlers | None) -> Any:
    """Hand the EventBridge event inside a rule's wrapper to the handler it names,
    when that one is registered for rule events; what it returns."""
    handler = event.get(RULE_EVENT_FIELDS["handler"])
    inner = RULE_EVENT_FIELDS["event"]
    if (
        handlers is not None
        and inner in event
        and handlers.find(RULE_EVENT_SOURCE, handler) is not None
    ):
        return _call(str(handler), event[inner], context, RULE_EVENT_SOURCE, handler)
    raise unsupported(event, handlers)


def records_source(event: Json) -> tuple[str, object] | None:
    """(kind, ARN) of an event of records from a kind handlers can take, as its
    first record names them; None for any other event."""
    records = event.get("Records")
    if not (isinstance(records, list) and records and isinstance(records[0], dict)):
        return None
    first = records[0]
    kind = first.get("eventSource")
    if kind in RECORD_ARN_KINDS:
        return kind, first.get("eventSourceARN")
    if kind == "aws:s3":
        return kind, _field(first, "s3", "bucket", "arn")
    if first.get("EventSource") == "aws:sns":  # SNS capitalises its keys
        return "aws:sns", _field(first, "Sns", "TopicArn")
    return None


def _field(record: Json, *path: str) -> object:
    value: object = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _call(handler: str, event: Any, context: Any, kind: str, arn: object) -> Any:
    function = _imported.get(handler)
    if function is None:
        try:
            function = import_callable(handler)
        except Exception as exc:
            message = (
                f"cannot import the event handler {handler!r}, registered for {kind} "
                f"{arn}: {exc!r}"
            )
            logger().exception("%s", message)
            raise EventHandlerImportError(message) from exc
        _imported[handler] = function
    try:
        result = function(event, context)
    except Exception:
        logger().exception(
            "event handler %s failed on an event from %s %s", handler, kind, arn
        )
        raise
    jobs_logger().info(
        "event handler %s took an event from %s %s%s",
        handler,
        kind,
        arn,
        _tally(event, result),
    )
    return result


def _tally(event: Any, result: Any) -> str:
    """How many records the event held, and how many the handler reported failed."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        return ""
    failures = result.get("batchItemFailures") if isinstance(result, Mapping) else None
    failed = f", {len(failures)} reported failed" if isinstance(failures, list) else ""
    return f" ({len(records)} records{failed})"


def unsupported(event: Any, handlers: EventHandlers | None) -> UnsupportedEventError:
    """Log that nothing here takes `event`, naming what it is and what would be
    taken; the exception to raise."""
    expected = (handlers or EventHandlers()).describe()
    message = (
        f"unsupported event ({describe(event)}): cdk_wsgi_adapter serves API "
        "Gateway REST and HTTP APIs, Lambda Function URLs and ALB targets, and "
        f"{expected}"
    )
    logger().error("%s", message)
    return UnsupportedEventError(message)


def describe(event: Any) -> str:
    """What an event is, as far as telling sources apart goes: its keys, `source`
    and `version`, and the kind and ARN of its records or the handler it names."""
    if not isinstance(event, dict):
        return f"a {type(event).__name__}"
    keys = ", ".join(sorted(map(str, event))[:20])
    source = event.get("source")
    parts = [
        f"keys [{keys}]",
        f"source {_short(source)}",
        f"version {_short(event.get('version'))}",
    ]
    found = records_source(event)
    records = event.get("Records")
    if found is not None:
        parts.append(f"records from {found[0]} with ARN {_short(found[1])}")
    elif isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        kind = first.get("eventSource", first.get("EventSource"))
        parts.append(f"records from {_short(kind)}")
    if source == RULE_EVENT_SOURCE:
        handler = event.get(RULE_EVENT_FIELDS["handler"])
        parts.append(f"handler {_short(handler)}")
    return ", ".join(parts)


def _is_path(spec: str) -> bool:
    module, colon, attr = spec.partition(":")
    return bool(colon) and all(
        part.isidentifier() for part in [*module.split("."), *attr.split(".")]
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
