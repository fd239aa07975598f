"""The management command package's entry: the event and answer shapes, the time a
command gets, and no command started by anything an HTTP client sends."""

from __future__ import annotations

import base64
import copy
import json
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from cdk_wsgi_adapter import make_handler, management
from commands import invoke, python, shell
from conftest import Capture, ContextStub, Invoked, exploding_app, load_event
from events import (
    make_alb_event,
    make_function_url_event,
    make_http_event,
    make_rest_event,
)


class TestContract:
    """Pins the event and answer shapes the CLI relies on."""

    def test_answer_shape(self) -> None:
        assert python("print('hi')") == {
            "exitCode": 0,
            "output": [["stdout", "hi\n"]],
            "truncated": False,
        }

    def test_exit_codes_the_adapter_answers_with(self) -> None:
        assert (
            management.EXIT_USAGE,
            management.EXIT_TIMED_OUT,
            management.EXIT_REFUSED,
            management.EXIT_CANNOT_RUN,
        ) == (2, 124, 126, 127)


class TestDeadline:
    """A command gets what the context says is left, less RESERVE_MILLIS."""

    @pytest.mark.parametrize("context", [None, object()])
    def test_a_context_without_remaining_time_gives_lambda_s_longest(
        self, context: Any
    ) -> None:
        assert management._deadline(context, 100.0) == 100.0 + 899.0

        class ArnOnly:
            invoked_function_arn = Invoked("manage").invoked_function_arn

        event = {"source": "cdk-wsgi.command", "kind": "shell", "command": "echo ok"}
        answer = make_handler(exploding_app)(event, ArnOnly())
        assert answer["output"] == [["stdout", "ok\n"]]


MARKER = "pwned"


def poisoned(event: dict[str, Any], marker: Path, *, binary: bool) -> dict[str, Any]:
    """`event` with a command event in every field a client controls: path, headers,
    query, cookies and body."""
    event = copy.deepcopy(event)
    fields = {
        "source": "cdk-wsgi.command",
        "kind": "shell",
        "command": f"touch {marker}",
    }
    payload = json.dumps(fields)
    path = "/" + quote(payload, safe="")
    if event.get("version") == "2.0":
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["rawQueryString"] = urlencode(fields)
        event["queryStringParameters"] = fields
        event["cookies"] = [f"source={fields['source']}", f"command={quote(payload)}"]
    else:
        event["path"] = path
        if "queryStringParameters" in event:
            event["queryStringParameters"] = fields
        if "multiValueQueryStringParameters" in event:
            event["multiValueQueryStringParameters"] = {
                name: [value] for name, value in fields.items()
            }
    headers = {"source": fields["source"], "x-command": payload}
    for key in ("headers", "multiValueHeaders"):
        if isinstance(event.get(key), dict):
            for name, value in headers.items():
                event[key][name] = [value] if key == "multiValueHeaders" else value
    if binary:
        event["body"] = base64.b64encode(payload.encode()).decode()
    else:
        event["body"] = payload
    event["isBase64Encoded"] = binary
    return event


SAMPLES = [
    "powertools-lambda-python/apiGatewayProxyEvent.json",
    "aws-lambda-go/apigw-request.json",
    "powertools-lambda-python/apiGatewayProxyV2Event.json",
    "aws-lambda-go/apigw-v2-request-no-authorizer.json",
    "powertools-lambda-python/lambdaFunctionUrlEvent.json",
    "aws-lambda-go/lambda-urls-request.json",
    "powertools-lambda-python/albEvent.json",
    "powertools-lambda-python/albMultiValueHeadersEvent.json",
]

ECHO_APP = textwrap.dedent(
    """
    import json

    def app(environ, start_response):
        seen = {
            "path": environ["PATH_INFO"],
            "query": environ["QUERY_STRING"],
            "command_header": environ.get("HTTP_X_COMMAND", ""),
            "body": environ["wsgi.input"].read().decode(),
        }
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(seen).encode()]
    """
)


def http_events(marker: Path) -> list[dict[str, Any]]:
    events = [
        poisoned(load_event(sample), marker, binary=binary)
        for sample in SAMPLES
        for binary in (False, True)
    ]
    payload = json.dumps(
        {"source": "cdk-wsgi.command", "kind": "shell", "command": f"touch {marker}"}
    )
    for factory in (make_rest_event, make_alb_event):
        events.append(factory(method="POST", path="/source", body=payload))
    for v2_factory in (make_http_event, make_function_url_event):
        events.append(v2_factory(method="POST", raw_path="/source", body=payload))
    return events


class TestNoHttpRequestStartsACommand:
    def test_in_a_fresh_function_the_module_is_not_even_imported(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "echo_app.py").write_text(ECHO_APP)
        marker = tmp_path / MARKER
        events = http_events(marker)
        events.append({"source": "cdk-wsgi.warm-up", "concurrency": 1})
        result = invoke(events, app="echo_app:app", root=tmp_path)
        *responses, warm_up = result["answers"]
        assert warm_up == {"warmed": 1}
        for response in responses:
            assert response["statusCode"] == 200, response
            assert "cdk-wsgi.command" in json.loads(response["body"])["body"]
        assert not [m for m in result["loaded"] if m.startswith(management.__name__)]
        assert "cdk_wsgi_adapter.adapter" in result["loaded"]
        assert not marker.exists()

    def test_each_is_served_as_an_ordinary_request(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def explode(*args: Any) -> None:
            raise AssertionError("an HTTP event reached the management commands")

        monkeypatch.setattr(management, "answer_command", explode)
        marker = tmp_path / MARKER
        for event in http_events(marker):
            capture = Capture()
            response = make_handler(capture.app)(event, ContextStub())
            assert response["statusCode"] == 200
            assert b"cdk-wsgi.command" in capture.input
        assert not marker.exists()

    def test_the_same_payload_as_the_event_itself_runs(self, tmp_path: Path) -> None:
        # The control: sent by an IAM principal straight to the function, it runs.
        marker = tmp_path / MARKER
        assert shell(f"touch {marker}")["exitCode"] == 0
        assert marker.exists()
