"""Background tasks and event handlers, as an app's own module defines them."""

from __future__ import annotations

from typing import Any

from cdk_wsgi_adapter import task

#: What the tasks and handlers were called with, in order.
calls: list[tuple[str, Any, Any]] = []


@task
def send_welcome(
    user_id: Any, greeting: str = "hi", *extra: Any, **options: Any
) -> str:
    calls.append(("send_welcome", (user_id, greeting, *extra), options))
    return "not returned by the invocation"


@task
def fail(message: str) -> None:
    raise ValueError(message)


def process(event: Any, context: Any) -> dict[str, Any]:
    calls.append(("process", event, context))
    return {
        "processed": len(event.get("Records", [])) if isinstance(event, dict) else 0
    }


def sqs_batch(event: Any, context: Any) -> dict[str, Any]:
    """Reports the records whose body is not JSON as failed (ReportBatchItemFailures)."""
    import json

    failures = []
    for record in event["Records"]:
        try:
            json.loads(record["body"])
        except ValueError:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def broken(event: Any, context: Any) -> None:
    raise RuntimeError("the handler broke")


not_callable = 3
