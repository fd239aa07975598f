"""The protocol between `cdk-wsgi serve` and its worker: the settings as the worker's
one argument, then one JSON object per line each way.

The worker writes `ready` once the app is imported (and primed), then reads one
invocation per line and answers each with `result` or `error`. The TypeScript side is
src/contracts/worker-protocol.ts; test/contract-parity.test.ts passes each side's
lines through the other. The long module name keeps clear of the app's modules: the
worker imports this one first, so a short name could shadow one.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict

__all__ = [
    "PrimeSettings",
    "WorkerSettings",
    "encode",
    "error_message",
    "read_invocation",
    "read_settings",
    "ready_message",
    "result_message",
]


class PrimeSettings(TypedDict):
    """The function's priming as CDK_WSGI_PRIME holds it, `host` being the emulated
    front door's domain (its events' domainName); the requests carry the local Host."""

    apiType: str
    host: str
    stage: str
    paths: list[str]
    timeoutMillis: int


class WorkerSettings(TypedDict):
    """The worker's one argument, as JSON."""

    entry: str
    app: str
    textMediaTypes: list[str]
    binaryMediaTypes: list[str] | None
    basePaths: dict[str, str]
    #: The secret serve's stand-in distribution sends; null without a distribution.
    originSecret: str | None
    port: int
    functionName: str
    memorySize: int
    timeoutSeconds: float
    #: Primed once the app is imported, as at init on Lambda; null without `prime`.
    prime: PrimeSettings | None


def read_settings(argument: str) -> WorkerSettings:
    settings: WorkerSettings = json.loads(argument)
    return settings


def read_invocation(line: bytes) -> tuple[str, Any]:
    """The request ID and the event of one invocation line."""
    message = json.loads(line)
    return message["requestId"], message["event"]


def ready_message(
    *,
    error: str | None = None,
    hint: str | None = None,
    primed: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Sent once the app is imported (and primed: each path's `status` and `ms`, its
    `error`, or `skipped`); with the error (and a hint) when it failed to."""
    info = {"error": error, "hint": hint, "primed": primed}
    return {"ready": {key: value for key, value in info.items() if value is not None}}


def result_message(result: Any) -> dict[str, Any]:
    return {"result": result}


def error_message(error: str) -> dict[str, Any]:
    """A function error: the handler raised, as Lambda reports it."""
    return {"error": error}


def encode(message: dict[str, Any]) -> bytes:
    """One line of compact JSON."""
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"
