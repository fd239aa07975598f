"""Warm-up events: answered without touching the app, fanning out to N environments.

The construct's EventBridge rule sends `{"source": "cdk-wsgi.warm-up", "concurrency":
N}` to the `live` alias, which warms one environment; that one invokes what it was
invoked as (the same alias, so that its permission can name that alias alone) N-1
more times, in parallel, with concurrency 1. Each holds for HOLD_SECONDS, so that the
calls overlap and Lambda must place them in N distinct environments.
"""

from __future__ import annotations

import os
import time

from .config import WARM_UP_CONCURRENCY_KEY, WARM_UP_MAX_CONCURRENCY, WARM_UP_SOURCE
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from .compat import Json

#: How long each warm-up invocation stays busy, so parallel ones cannot share one.
HOLD_SECONDS = 0.1
#: Read timeout of one child invoke; a cold child may spend 10 s in its init phase.
INVOKE_TIMEOUT_SECONDS = 30.0


def warm_up_concurrency(event: Json) -> int | None:
    """N for a warm-up event, None for anything else.

    Also recognised, without fan-out: serverless-plugin-warmup's default payload and an
    EventBridge scheduled rule without custom input.
    """
    source = event.get("source")
    if source == WARM_UP_SOURCE:
        concurrency = event.get(WARM_UP_CONCURRENCY_KEY)
        if (
            isinstance(concurrency, int)
            and not isinstance(concurrency, bool)
            and concurrency >= 1
        ):
            return min(concurrency, WARM_UP_MAX_CONCURRENCY)
        return 1
    if source == "serverless-plugin-warmup" or (
        source == "aws.events" and event.get("detail-type") == "Scheduled Event"
    ):
        return 1
    return None


def answer_warm_up(
    concurrency: int, context: Any, environ: Mapping[str, str] = os.environ
) -> Json:
    """Warm `concurrency` environments; returns {"warmed": <invocations completed>}."""
    warmed = 1 + (_fan_out(concurrency - 1, context, environ) if concurrency > 1 else 0)
    if concurrency == 1:
        time.sleep(HOLD_SECONDS)
    return {"warmed": warmed}


def _fan_out(count: int, context: Any, environ: Mapping[str, str]) -> int:
    function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if not function_name:
        logger().error("warm-up fan-out skipped: AWS_LAMBDA_FUNCTION_NAME is not set")
        return 0
    try:
        # Pre-installed in Lambda's managed Python runtimes; not our dependency.
        import boto3
        from botocore.config import Config
    except ImportError:
        logger().error("warm-up fan-out skipped: boto3 is not importable")
        return 0
    import json
    import threading

    from .invocation import invoked_qualifier

    request: dict[str, object] = {
        "FunctionName": function_name,
        "InvocationType": "RequestResponse",
        "Payload": json.dumps(
            {"source": WARM_UP_SOURCE, WARM_UP_CONCURRENCY_KEY: 1}
        ).encode(),
    }
    qualifier = invoked_qualifier(context)
    if qualifier is not None:  # the alias or version it was invoked through, as is
        request["Qualifier"] = qualifier
    client = boto3.client(
        "lambda",
        config=Config(
            max_pool_connections=count,
            read_timeout=INVOKE_TIMEOUT_SECONDS,
            retries={"total_max_attempts": 1},
        ),
    )
    results: list[bool] = []

    def invoke() -> None:
        try:
            reply = client.invoke(**request)
            reply["Payload"].read()
            if "FunctionError" in reply:
                raise RuntimeError(f"function error {reply['FunctionError']}")
            results.append(True)
        except Exception:
            logger().exception("warm-up invoke of %s failed", function_name)

    threads = [threading.Thread(target=invoke, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(HOLD_SECONDS)
    deadline = time.monotonic() + INVOKE_TIMEOUT_SECONDS + 5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return len(results)
