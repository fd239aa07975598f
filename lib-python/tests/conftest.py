"""Shared fixtures: the Lambda context stub, event loading and validator-wrapped test apps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest
from hypothesis import settings

from cdk_wsgi_adapter import make_handler

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

EVENTS = Path(__file__).parent / "events"
SRC = Path(__file__).parents[1] / "src"
TESTS = Path(__file__).parent

# No example database on disk: runs stay reproducible and leave nothing behind.
settings.register_profile("default", database=None, deadline=None)
settings.load_profile("default")


def fresh_python(
    script: str, *args: str, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run `script` as `python -c` in a fresh interpreter, as Lambda starts one: with
    SRC and TESTS as its first arguments, then `args`, and this process's environment
    without the adapter's variables (and coverage's), plus `env`; `options` go to
    subprocess.run (input, cwd, a longer timeout). It must exit 0."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("CDK_WSGI_", "COV_"))
    }
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", script, str(SRC), str(TESTS), *args],
        capture_output=True,
        text=True,
        env=environ,
        check=True,
        **{"timeout": 60, **options},
    )


class ContextStub:
    """Stands in for the Lambda context object.

    Attributes as documented at
    https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
    """

    function_name = "cdk-wsgi-test"
    function_version = "$LATEST"
    invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:cdk-wsgi-test"
    )
    memory_limit_in_mb = 128
    aws_request_id = "6f1b6c6e-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/cdk-wsgi-test"
    log_stream_name = "2026/11/21/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class Invoked(ContextStub):
    """The context of an invocation through `qualifier` (an alias or a version)."""

    def __init__(self, qualifier: str, remaining_millis: int = 30_000) -> None:
        self.invoked_function_arn = f"{ContextStub.invoked_function_arn}:{qualifier}"
        self.remaining_millis = remaining_millis

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def load_event(relative: str) -> dict[str, Any]:
    """A real sample event; json.loads(bytes) copes with the UTF-8 BOM some files carry."""
    event: dict[str, Any] = json.loads((EVENTS / relative).read_bytes())
    return event


class Capture:
    """A validator-wrapped app that records its environ and answers with a fixed response."""

    def __init__(
        self,
        status: str = "200 OK",
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"ok",
    ) -> None:
        self.status = status
        self.headers = (
            headers if headers is not None else [("Content-Type", "text/plain")]
        )
        self.body = body
        self.environ: WSGIEnvironment = {}
        self.input = b""
        self.app: WSGIApplication = validator(self._app)

    def _app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        self.environ = environ
        self.input = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(self.status, self.headers)
        return [self.body]

    def computed(self) -> dict[str, Any]:
        """Every environ entry the adapter computes, minus the objects checked by identity."""
        skip = {"wsgi.input", "wsgi.errors", "cdk_wsgi.event", "cdk_wsgi.context"}
        return {key: value for key, value in self.environ.items() if key not in skip}


@pytest.fixture
def context() -> ContextStub:
    return ContextStub()


def run(
    event: dict[str, Any], capture: Capture | None = None, **options: Any
) -> tuple[Capture, dict[str, Any]]:
    """Send `event` through make_handler around a Capture app; (capture, response)."""
    capture = capture or Capture()
    return capture, make_handler(capture.app, **options)(event, ContextStub())


def https_environ(source: str) -> dict[str, Any]:
    """The environ entries every API Gateway and Function URL request shares."""
    return {
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.multiprocess": False,
        "wsgi.multithread": False,
        "wsgi.run_once": False,
        "wsgi.url_scheme": "https",
        "wsgi.version": (1, 0),
        "cdk_wsgi.source": source,
    }


def exploding_app(
    environ: WSGIEnvironment, start_response: StartResponse
) -> list[bytes]:
    """For events that must be answered without the app (warm-ups, non-HTTP events)."""
    raise AssertionError("this event must never reach the app")
