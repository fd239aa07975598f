"""Warm-up events, including a real fan-out through boto3 to a loopback Lambda endpoint."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from cdk_wsgi_adapter import make_handler, warmup
from conftest import ContextStub, Invoked, exploding_app, load_event

handler = make_handler(exploding_app)


@pytest.fixture(autouse=True)
def no_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup, "HOLD_SECONDS", 0.01)


class LambdaStub(ThreadingHTTPServer):
    """Loopback stand-in for the Lambda Invoke API: records each call."""

    def __init__(self, status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[dict[str, Any]] = []
        self.reply_status = status
        self.function_error = False
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: LambdaStub

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        payload = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.calls.append(
                {
                    "path": unquote(url.path),
                    "query": parse_qs(url.query),
                    "payload": json.loads(payload),
                    "type": self.headers.get("X-Amz-Invocation-Type"),
                }
            )
        body = b'{"warmed": 1}'
        self.send_response(self.server.reply_status)
        self.send_header("Content-Type", "application/json")
        if self.server.function_error:
            self.send_header("X-Amz-Function-Error", "Unhandled")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def lambda_stub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    server = LambdaStub()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    host, port = server.server_address[:2]
    for name, value in {
        "AWS_ENDPOINT_URL_LAMBDA": f"http://{host!s}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": "my-fn",
        "AWS_LAMBDA_FUNCTION_VERSION": "7",
    }.items():
        monkeypatch.setenv(name, value)
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class TestWarmUp:
    @pytest.mark.parametrize(
        "relative",
        [
            "serverless-plugin-warmup/default-payload.json",
            "aws-lambda-rust-runtime/lambda-events/example-eventbridge-schedule.json",
            "aws-lambda-java-libs/cloudwatch_event.json",
            "aws-lambda-dotnet/EventsTests.Shared/scheduled-event.json",
            "aws-sam-cli/cloudwatch/ScheduledEvent.json",
        ],
    )
    def test_third_party_warm_ups_are_answered_without_the_app(
        self, relative: str
    ) -> None:
        assert handler(load_event(relative), ContextStub()) == {"warmed": 1}

    @pytest.mark.parametrize("concurrency", [None, 0, -3, True, "2", 1.5, 1])
    def test_own_warm_up_without_usable_fan_out_is_single(
        self, concurrency: Any
    ) -> None:
        event: dict[str, Any] = {"source": "cdk-wsgi.warm-up"}
        if concurrency is not None:
            event["concurrency"] = concurrency
        assert handler(event, ContextStub()) == {"warmed": 1}

    def test_fan_out_invokes_what_it_was_invoked_as_n_minus_1_times(
        self, lambda_stub: LambdaStub
    ) -> None:
        # The rule targets the live alias; the environment runs version 7 behind it.
        result = handler(
            {"source": "cdk-wsgi.warm-up", "concurrency": 4}, Invoked("live")
        )
        assert result == {"warmed": 4}
        assert len(lambda_stub.calls) == 3
        for call in lambda_stub.calls:
            assert call == {
                "path": "/2015-03-31/functions/my-fn/invocations",
                "query": {"Qualifier": ["live"]},
                "payload": {"source": "cdk-wsgi.warm-up", "concurrency": 1},
                "type": "RequestResponse",
            }

    @pytest.mark.parametrize(
        ("context", "query"),
        [
            (Invoked("12"), {"Qualifier": ["12"]}),
            (Invoked("$LATEST"), {"Qualifier": ["$LATEST"]}),
            (ContextStub(), {}),  # unqualified: so are the copies
            (None, {}),
        ],
    )
    def test_the_qualifier_is_the_invoked_arn_s(
        self, lambda_stub: LambdaStub, context: Any, query: dict[str, list[str]]
    ) -> None:
        assert handler({"source": "cdk-wsgi.warm-up", "concurrency": 2}, context) == {
            "warmed": 2
        }
        assert [call["query"] for call in lambda_stub.calls] == [query]

    def test_failed_invokes_are_logged_and_not_counted(
        self, lambda_stub: LambdaStub, caplog: pytest.LogCaptureFixture
    ) -> None:
        lambda_stub.reply_status = 500
        assert handler(
            {"source": "cdk-wsgi.warm-up", "concurrency": 3}, ContextStub()
        ) == {"warmed": 1}
        assert "warm-up invoke of my-fn failed" in caplog.text

    def test_function_errors_are_not_counted(
        self, lambda_stub: LambdaStub, caplog: pytest.LogCaptureFixture
    ) -> None:
        lambda_stub.function_error = True
        assert warmup.answer_warm_up(2, Invoked("live")) == {"warmed": 1}
        assert "function error Unhandled" in caplog.text

    def test_concurrency_is_capped_at_the_constructs_ceiling(self) -> None:
        assert (
            warmup.warm_up_concurrency(
                {"source": "cdk-wsgi.warm-up", "concurrency": 10**6}
            )
            == 100
        )

    def test_no_function_name_skips_fan_out(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert warmup.answer_warm_up(3, Invoked("live"), environ={}) == {"warmed": 1}
        assert "AWS_LAMBDA_FUNCTION_NAME is not set" in caplog.text

    def test_missing_boto3_skips_fan_out(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setitem(sys.modules, "boto3", None)
        assert warmup.answer_warm_up(
            3, Invoked("live"), environ={"AWS_LAMBDA_FUNCTION_NAME": "f"}
        ) == {"warmed": 1}
        assert "boto3 is not importable" in caplog.text

    def test_scheduled_event_from_other_sources_is_not_a_warm_up(self) -> None:
        assert (
            warmup.warm_up_concurrency({"source": "aws.events", "detail-type": "Other"})
            is None
        )
