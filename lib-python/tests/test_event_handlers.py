"""Events from SQS, Kinesis, DynamoDB streams, S3, SNS and EventBridge rules, handed to
the callables registered for their source (CDK_WSGI_EVENT_HANDLERS), using real AWS
sample events; and the events nothing takes."""

from __future__ import annotations

import json
import logging
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

from apps import jobs
from cdk_wsgi_adapter import UnsupportedEventError, event_handlers, make_handler
from cdk_wsgi_adapter.config import load_settings
from cdk_wsgi_adapter.job_exceptions import EventHandlerImportError
from cdk_wsgi_adapter.loader import import_callable
from conftest import ContextStub, exploding_app, fresh_python, load_event

if TYPE_CHECKING:
    from collections.abc import Iterator

SQS = "powertools-lambda-python/sqsEvent.json"
QUEUE = "arn:aws:sqs:us-east-2:123456789012:my-queue"
RULE_HANDLER = "apps.jobs:process"

#: Each real sample, its kind and the ARN it names.
SAMPLES = [
    (SQS, "aws:sqs", QUEUE),
    (
        "powertools-lambda-python/kinesisStreamEventOneRecord.json",
        "aws:kinesis",
        "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
    ),
    (
        "aws-lambda-java-libs/dynamo_event.json",
        "aws:dynamodb",
        "arn:aws:dynamodb:eu-central-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899",
    ),
    (
        "powertools-lambda-python/s3Event.json",
        "aws:s3",
        "arn:aws:s3:::lambda-artifacts-deafc19498e3f2df",
    ),
    (
        "powertools-lambda-python/snsEvent.json",
        "aws:sns",
        "arn:aws:sns:us-east-2:123456789012:sns-lambda",
    ),
]


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    jobs.calls.clear()
    event_handlers._imported.clear()
    yield
    event_handlers._imported.clear()


def entry(handler: str, source: str, arn: str) -> dict[str, str]:
    return {"handler": handler, "source": source, "arn": arn}


def rule_entry(handler: str = RULE_HANDLER) -> dict[str, str]:
    return entry(handler, "cdk-wsgi.event", handler)


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


class TestSources:
    @pytest.mark.parametrize(("relative", "kind", "arn"), SAMPLES)
    def test_each_kind_goes_to_the_handler_registered_for_its_arn(
        self, relative: str, kind: str, arn: str
    ) -> None:
        # Every kind is registered, each to a handler that would break, except this
        # sample's kind and ARN; and the same kind from another source would break.
        entries = [
            entry("apps.jobs:broken", other, "arn:aws:other")
            for other in ("aws:sqs", "aws:kinesis", "aws:dynamodb", "aws:s3", "aws:sns")
        ]
        entries.append(entry("apps.jobs:process", kind, arn))
        handler = make_handler(exploding_app, event_handlers=entries)
        event = load_event(relative)
        context = ContextStub()
        assert handler(event, context) == {"processed": len(event["Records"])}
        [(name, seen, seen_context)] = jobs.calls
        assert (name, seen_context) == ("process", context)
        assert seen is event  # as Lambda delivered it

    def test_sqs_partial_batch_failures_pass_through(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        handler = make_handler(
            exploding_app,
            event_handlers=[entry("apps.jobs:sqs_batch", "aws:sqs", QUEUE)],
        )
        # The sample's first body is not JSON, its second is.
        assert handler(load_event(SQS), ContextStub()) == {
            "batchItemFailures": [
                {"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}
            ]
        }
        assert caplog.messages[-1] == (
            f"event handler apps.jobs:sqs_batch took an event from aws:sqs {QUEUE} "
            "(2 records, 1 reported failed)"
        )

    def test_each_run_is_logged_with_its_records(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        handler = make_handler(
            exploding_app,
            event_handlers=[
                entry("apps.jobs:process", "aws:sqs", QUEUE),
                rule_entry(),
            ],
        )
        handler(load_event(SQS), ContextStub())
        assert caplog.messages[-1] == (
            f"event handler apps.jobs:process took an event from aws:sqs {QUEUE} "
            "(2 records)"
        )
        inner = load_event("powertools-lambda-python/eventBridgeEvent.json")
        wrapped = {"source": "cdk-wsgi.event", "handler": RULE_HANDLER, "event": inner}
        handler(wrapped, ContextStub())
        assert caplog.messages[-1] == (
            f"event handler {RULE_HANDLER} took an event from cdk-wsgi.event "
            f"{RULE_HANDLER}"
        )

    def test_an_eventbridge_rule_event_goes_to_the_handler_it_names(self) -> None:
        handler = make_handler(exploding_app, event_handlers=[rule_entry()])
        inner = load_event("powertools-lambda-python/eventBridgeEvent.json")
        wrapped = {"source": "cdk-wsgi.event", "handler": RULE_HANDLER, "event": inner}
        assert handler(wrapped, ContextStub()) == {"processed": 0}
        assert jobs.calls[0][1] is inner

    def test_the_handler_is_imported_once(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        imported: list[str] = []

        def counting(spec: str) -> Any:
            imported.append(spec)
            return import_callable(spec)

        monkeypatch.setattr(event_handlers, "import_callable", counting)
        handler = make_handler(
            exploding_app, event_handlers=[entry("apps.jobs:process", "aws:sqs", QUEUE)]
        )
        for _ in range(3):
            handler(load_event(SQS), ContextStub())
        assert imported == ["apps.jobs:process"]
        assert len(jobs.calls) == 3


class TestFailures:
    @pytest.mark.parametrize(
        ("path", "error"),
        [
            (
                "apps.nosuch:handler",
                "ModuleNotFoundError(\"No module named 'apps.nosuch'\")",
            ),
            (
                "apps.jobs:missing",
                "AttributeError(\"module 'apps.jobs' has no attribute 'missing'\")",
            ),
            (
                "apps.jobs:not_callable",
                "TypeError(\"'apps.jobs:not_callable' is not callable\")",
            ),
        ],
    )
    def test_a_handler_that_does_not_import_is_named_with_its_error(
        self, path: str, error: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        handler = make_handler(
            exploding_app, event_handlers=[entry(path, "aws:sqs", QUEUE)]
        )
        with pytest.raises(EventHandlerImportError) as info:
            handler(load_event(SQS), ContextStub())
        assert str(info.value) == (
            f"cannot import the event handler {path!r}, registered for aws:sqs {QUEUE}: "
            f"{error}"
        )
        [record] = errors(caplog)
        assert record.getMessage() == str(info.value)
        assert record.exc_info is not None
        # Not cached: the next event tries again.
        with pytest.raises(EventHandlerImportError):
            handler(load_event(SQS), ContextStub())

    def test_an_exception_is_logged_and_raised(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        handler = make_handler(
            exploding_app, event_handlers=[entry("apps.jobs:broken", "aws:sqs", QUEUE)]
        )
        with pytest.raises(RuntimeError, match="the handler broke"):
            handler(load_event(SQS), ContextStub())
        [record] = errors(caplog)
        assert record.getMessage() == (
            f"event handler apps.jobs:broken failed on an event from aws:sqs {QUEUE}"
        )
        assert record.exc_info is not None and record.exc_info[0] is RuntimeError


REGISTERED = (
    "the event handlers registered in CDK_WSGI_EVENT_HANDLERS: apps.jobs:process "
    "for aws:sqs arn:aws:sqs:us-east-2:123456789012:other-queue; apps.jobs:process "
    "for cdk-wsgi.event apps.jobs:process"
)
SERVED = (
    "cdk_wsgi_adapter serves API Gateway REST and HTTP APIs, Lambda Function URLs "
    "and ALB targets, and "
)


class TestUnmatched:
    """Events no registered handler takes: logged, naming what came and what was
    expected, then UnsupportedEventError."""

    handler = staticmethod(
        make_handler(
            exploding_app,
            event_handlers=[
                entry(
                    "apps.jobs:process",
                    "aws:sqs",
                    QUEUE.replace("my-queue", "other-queue"),
                ),
                rule_entry(),
            ],
        )
    )

    @pytest.mark.parametrize(
        ("event", "received"),
        [
            (
                load_event(SQS),
                "keys [Records], source None, version None, records from aws:sqs "
                f"with ARN '{QUEUE}'",
            ),
            (
                load_event("powertools-lambda-python/s3Event.json")
                | {"Records": [{"eventSource": "aws:s3"}]},
                "keys [Records], source None, version None, records from aws:s3 with ARN None",
            ),
            (
                {"Records": [{"eventSource": "aws:ses", "ses": {}}]},
                "keys [Records], source None, version None, records from 'aws:ses'",
            ),
            (
                {"Records": [{"EventSource": "aws:other"}]},
                "keys [Records], source None, version None, records from 'aws:other'",
            ),
            (
                load_event("powertools-lambda-python/eventBridgeEvent.json"),
                "keys [account, detail, detail-type, id, region, replay-name, resources, "
                "source, time, version], source 'aws.ec2', version '0'",
            ),
            (
                {
                    "source": "cdk-wsgi.event",
                    "handler": "apps.jobs:broken",
                    "event": {},
                },
                "keys [event, handler, source], source 'cdk-wsgi.event', version None, "
                "handler 'apps.jobs:broken'",
            ),
            (
                {"source": "cdk-wsgi.event", "handler": RULE_HANDLER},
                "keys [handler, source], source 'cdk-wsgi.event', version None, "
                "handler 'apps.jobs:process'",
            ),
            ({"Records": []}, "keys [Records], source None, version None"),
            ({"Records": ["x"]}, "keys [Records], source None, version None"),
            ([1], "a list"),
        ],
    )
    def test_what_came_and_what_was_expected_are_logged(
        self, event: Any, received: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(UnsupportedEventError) as info:
            self.handler(event, ContextStub())
        assert (
            str(info.value) == f"unsupported event ({received}): {SERVED}{REGISTERED}"
        )
        [record] = errors(caplog)
        assert record.getMessage() == str(info.value)
        assert jobs.calls == []

    @pytest.mark.parametrize("relative", [sample[0] for sample in SAMPLES])
    def test_without_handlers_an_event_source_event_is_refused(
        self, relative: str
    ) -> None:
        with pytest.raises(UnsupportedEventError) as info:
            make_handler(exploding_app)(load_event(relative), ContextStub())
        assert str(info.value).endswith(
            f"{SERVED}no event handler is registered (CDK_WSGI_EVENT_HANDLERS is "
            "empty or unset: addEventHandler registers them)"
        )

    def test_a_rule_event_without_handlers(self) -> None:
        event = {"source": "cdk-wsgi.event", "handler": RULE_HANDLER, "event": {}}
        with pytest.raises(
            UnsupportedEventError, match="no event handler is registered"
        ):
            make_handler(exploding_app)(event, ContextStub())

    def test_the_message_names_ten_handlers_at_most(self) -> None:
        entries = [
            entry("apps.jobs:process", "aws:sqs", f"arn:q{i:02}") for i in range(12)
        ]
        with pytest.raises(UnsupportedEventError) as info:
            make_handler(exploding_app, event_handlers=entries)({}, ContextStub())
        assert str(info.value).endswith(
            "apps.jobs:process for aws:sqs arn:q09; and 2 more"
        )


class TestRegistration:
    @pytest.mark.parametrize(
        ("entries", "problem"),
        [
            (["x"], "entry 0 is not an object: 'x'"),
            (
                [entry("nocolon", "aws:sqs", "a")],
                "entry 0: handler must be 'module:attr', got 'nocolon'",
            ),
            (
                [entry("a:b-c", "aws:sqs", "a")],
                "entry 0: handler must be 'module:attr', got 'a:b-c'",
            ),
            (
                [{"source": "aws:sqs", "arn": "a"}],
                "entry 0: handler must be 'module:attr', got None",
            ),
            (
                [entry("a:b", "aws:sqs", "a"), entry("a:b", "aws:ses", "a")],
                "entry 1: source must be one of aws:sqs, aws:kinesis, aws:dynamodb, aws:s3, aws:sns, cdk-wsgi.event, got 'aws:ses'",
            ),
            (
                [{"handler": "a:b", "source": "aws:sqs"}],
                "entry 0: arn must be a non-empty string, got None",
            ),
            (
                [entry("a:b", "aws:sqs", "")],
                "entry 0: arn must be a non-empty string, got ''",
            ),
            (
                [entry("a:b", "cdk-wsgi.event", "a:c")],
                "entry 0: arn must be the handler's name for cdk-wsgi.event, got 'a:c'",
            ),
            (
                [entry("a:b", "aws:s3", "arn:b"), entry("a:c", "aws:s3", "arn:b")],
                "entry 1: aws:s3 arn:b goes to a:b already",
            ),
        ],
    )
    def test_malformed_entries_are_refused(
        self, entries: list[Any], problem: str
    ) -> None:
        with pytest.raises(ValueError) as info:
            make_handler(exploding_app, event_handlers=entries)
        assert str(info.value) == problem

    def test_one_handler_for_several_sources_and_a_repeated_entry(self) -> None:
        handlers = event_handlers.EventHandlers(
            [
                entry("a:b", "aws:sqs", "arn:1"),
                entry("a:b", "aws:sqs", "arn:1"),
                entry("a:b", "aws:sns", "arn:2"),
            ]
        )
        assert handlers.find("aws:sqs", "arn:1") == "a:b"
        assert handlers.find("aws:sns", "arn:2") == "a:b"
        assert handlers.find("aws:sns", "arn:1") is None
        assert handlers.find("aws:sqs", None) is None


class TestVariable:
    """CDK_WSGI_EVENT_HANDLERS, read at init."""

    def test_a_well_formed_value(self) -> None:
        value = json.dumps([entry("apps.jobs:process", "aws:sqs", QUEUE), rule_entry()])
        _, options = load_settings({"CDK_WSGI_EVENT_HANDLERS": value})
        assert options.event_handlers is not None
        assert options.event_handlers.find("aws:sqs", QUEUE) == "apps.jobs:process"

    @pytest.mark.parametrize("value", ["", "  "])
    def test_unset_or_empty_registers_none(self, value: str) -> None:
        assert (
            load_settings({"CDK_WSGI_EVENT_HANDLERS": value})[1].event_handlers is None
        )
        assert load_settings({})[1].event_handlers is None

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            ("[", "Expecting value: line 1 column 2 (char 1)"),
            ('{"handler": "a:b"}', "not a JSON list"),
            ('[{"handler": 1}]', "entry 0: handler must be 'module:attr', got 1"),
        ],
    )
    def test_a_malformed_value_is_a_logged_error_and_no_handler(
        self, value: str, problem: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        _, options = load_settings({"CDK_WSGI_EVENT_HANDLERS": value})
        assert options.event_handlers is not None
        assert options.event_handlers.find("aws:sqs", QUEUE) is None
        [record] = errors(caplog)
        assert record.getMessage() == (
            f"CDK_WSGI_EVENT_HANDLERS is malformed ({problem}), so no event handler is "
            f"registered; ignoring {value!r}"
        )

    SCRIPT = textwrap.dedent(
        """
        import json, logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
        sys.path[:0] = [sys.argv[1], sys.argv[2]]
        from conftest import load_event
        from events import make_http_event
        import cdk_wsgi_adapter
        handler = cdk_wsgi_adapter.handler  # looked up at init, as Lambda's runtime does
        print("IMPORTED", file=sys.stderr, flush=True)
        results = [handler(make_http_event(raw_path="/hello"), None)["body"]]
        try:
            results.append(handler(load_event(sys.argv[3]), None))
        except cdk_wsgi_adapter.UnsupportedEventError as exc:
            results.append(type(exc).__name__)
        print(json.dumps(results))
        """
    )

    def test_through_the_lambda_entry_point(self) -> None:
        value = json.dumps([entry("apps.jobs:sqs_batch", "aws:sqs", QUEUE)])
        proc = fresh_python(
            self.SCRIPT,
            SQS,
            env={
                "CDK_WSGI_APP": "apps.flask_app:app",
                "CDK_WSGI_EVENT_HANDLERS": value,
            },
        )
        assert json.loads(proc.stdout) == [
            "hello",
            {
                "batchItemFailures": [
                    {"itemIdentifier": "059f36b4-87a3-44ab-83d2-661975830a7d"}
                ]
            },
        ]

    def test_a_malformed_value_is_logged_at_init_and_http_is_served(self) -> None:
        proc = fresh_python(
            self.SCRIPT,
            SQS,
            env={
                "CDK_WSGI_APP": "apps.flask_app:app",
                "CDK_WSGI_EVENT_HANDLERS": "[{}]",
            },
        )
        assert json.loads(proc.stdout) == ["hello", "UnsupportedEventError"]
        init, _, served = proc.stderr.partition("IMPORTED")
        assert (
            "ERROR CDK_WSGI_EVENT_HANDLERS is malformed (entry 0: handler must be "
            "'module:attr', got None), so no event handler is registered; ignoring '[{}]'"
        ) in init
        assert "no event handler is registered (CDK_WSGI_EVENT_HANDLERS" in served
