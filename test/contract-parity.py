"""The Python side of the contracts test/contract-parity.test.ts compares, as JSON.

stdin holds what the TypeScript side sends (the handler string, priming configs and
paths, warm-up events, qualifiers, the event handler list, the serve worker's settings
and invocation line):
each is read here as the adapter or the serve worker reads it.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys

import cdk_wsgi_serve_protocol as protocol

from cdk_wsgi_adapter import config, make_handler
from cdk_wsgi_adapter.adapter import handler_for
from cdk_wsgi_adapter.management import DEFAULT_MILLIS, accepts
from cdk_wsgi_adapter.warmup import warm_up_concurrency

# parse_prime logs what it refuses; the answer says it.
logging.disable(logging.CRITICAL)

sent = json.load(sys.stdin)
module, _, attribute = sent["handler"].rpartition(".")


def prime_config(value: dict[str, object]) -> dict[str, object] | None:
    parsed = config.parse_prime(json.dumps(value))
    if parsed is None:
        return None
    return {
        "apiType": parsed.api_type,
        "host": parsed.host,
        "stage": parsed.stage,
        "paths": list(parsed.paths),
        "timeoutMillis": parsed.timeout_millis,
    }


def seen(environ, start_response):  # type: ignore[no-untyped-def]
    """A WSGI app that answers what it was given of the request."""
    start_response("200 OK", [("Content-Type", "application/json")])
    keys = ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "REMOTE_ADDR", "SCRIPT_NAME")
    shown = {key: environ.get(key) for key in keys}
    shown["PATH_INFO"] = environ["PATH_INFO"]
    shown["scheme"] = environ["wsgi.url_scheme"]
    shown["cdkWsgiHeaders"] = sorted(k for k in environ if k.startswith("HTTP_X_CDK_WSGI"))
    return [json.dumps(shown).encode()]


def through_distribution(secret: str, event: dict[str, object]) -> object:
    answer = make_handler(seen, origin_secret=secret)(event, None)
    return json.loads(answer["body"])


def event_handlers_found(value: str) -> list[str | None]:
    """For each entry of the construct's CDK_WSGI_EVENT_HANDLERS, the handler the
    adapter finds for its kind and ARN."""
    _, options = config.load_settings({config.EVENT_HANDLERS_VARIABLE: value})
    handlers = options.event_handlers
    assert handlers is not None
    return [handlers.find(e["source"], e["arn"]) for e in json.loads(value)]


def scheduled_failure(exit_code: int) -> dict[str, str]:
    """The errorType and errorMessage Lambda reports for a scheduled command exiting
    `exit_code`: its exception's class name and text."""
    from cdk_wsgi_adapter.management.scheduled import report

    event = {"source": config.COMMAND_SOURCE, "kind": "shell", "command": "exit 3"}
    try:
        report("nightly", event, {"exitCode": exit_code, "output": [], "truncated": False})
    except Exception as exc:  # noqa: BLE001 - any class: the name is what is compared
        return {"errorType": type(exc).__name__, "errorMessage": str(exc)}
    raise AssertionError("report() did not raise for a failed command")


def status_with(environment: dict[str, str], event: dict[str, object]) -> object:
    """The status the handler built from the construct's `environment` answers."""
    _, options = config.load_settings(environment)
    return handler_for(seen, options)(event, None)["statusCode"]


json.dump(
    {
        "variables": {
            name.removesuffix("_VARIABLE"): value
            for name, value in vars(config).items()
            if name.endswith("_VARIABLE")
        },
        "handlerIsCallable": callable(
            getattr(importlib.import_module(module), attribute, None)
        ),
        "warmUp": {
            "source": config.WARM_UP_SOURCE,
            "concurrencyKey": config.WARM_UP_CONCURRENCY_KEY,
            "maxConcurrency": config.WARM_UP_MAX_CONCURRENCY,
            "concurrencies": [warm_up_concurrency(e) for e in sent["warmUpEvents"]],
        },
        "commands": {
            "source": config.COMMAND_SOURCE,
            "kinds": list(config.COMMAND_KINDS),
            "fields": config.COMMAND_FIELDS,
        },
        "manageAliasName": config.MANAGE_ALIAS_NAME,
        "accepts": {qualifier: accepts(qualifier) for qualifier in sent["qualifiers"]},
        "longestTimeoutMillis": DEFAULT_MILLIS,
        "prime": {
            "apiTypes": list(config.PRIME_API_TYPES),
            "configs": [prime_config(value) for value in sent["primeConfigs"]],
            "paths": {
                path: prime_config({**sent["primeConfigs"][0], "paths": [path]})
                is not None
                for path in sent["primePaths"]
            },
        },
        "distribution": {
            "headers": [
                config.ORIGIN_SECRET_HEADER,
                config.VIEWER_HOST_HEADER,
                config.VIEWER_ADDRESS_HEADER,
                config.VIEWER_PROTO_HEADER,
            ],
            "seen": [
                through_distribution(sent["distribution"]["secret"], event)
                for event in sent["distribution"]["events"]
            ],
            "closedStatuses": [
                status_with(sent["distribution"]["closedEnvironment"], event)
                for event in sent["distribution"]["events"]
            ],
        },
        "jobs": {
            "scheduleField": config.SCHEDULE_FIELD,
            "taskSource": config.TASK_SOURCE,
            "taskFields": config.TASK_FIELDS,
            "taskAliasName": config.TASK_ALIAS_NAME,
            "asyncPayloadLimit": config.ASYNC_PAYLOAD_LIMIT,
            "eventSourceKinds": list(config.EVENT_SOURCE_KINDS),
            "ruleEventSource": config.RULE_EVENT_SOURCE,
            "ruleEventFields": config.RULE_EVENT_FIELDS,
            "eventHandlers": event_handlers_found(sent["eventHandlers"]),
            "scheduledFailure": scheduled_failure(3),
        },
        "worker": {
            "settingsKeys": sorted(protocol.WorkerSettings.__required_keys__),
            "primeKeys": sorted(protocol.PrimeSettings.__required_keys__),
            "settings": protocol.read_settings(json.dumps(sent["workerSettings"])),
            "invocation": protocol.read_invocation(sent["invocationLine"].encode()),
            "lines": [
                protocol.encode(message).decode()
                for message in (
                    protocol.ready_message(),
                    protocol.ready_message(error="ImportError: x", hint="install x"),
                    protocol.ready_message(primed=sent["primed"]),
                    protocol.result_message({"statusCode": 200}),
                    protocol.error_message("ValueError: boom"),
                )
            ],
        },
    },
    sys.stdout,
)
