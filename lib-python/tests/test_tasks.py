"""Background tasks: `@task`, `.delay()` here and on Lambda (an asynchronous Invoke of
the function's `live` alias, sent to a local server that checks its signature with
botocore), and task events run by the handler."""

from __future__ import annotations

import datetime
import functools
import importlib.util
import json
import logging
import os
import re
import socket
import sys
import textwrap
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials

from apps import jobs
from cdk_wsgi_adapter import make_handler, task, tasks
from cdk_wsgi_adapter.aws import invoke, sigv4
from cdk_wsgi_adapter.config import ASYNC_PAYLOAD_LIMIT
from cdk_wsgi_adapter.exceptions import MalformedEventError
from cdk_wsgi_adapter.tasks import TaskQueueError, UnknownTaskError
from conftest import TESTS, ContextStub, exploding_app, fresh_python
from lambda_api import CREDENTIALS_PATH, LambdaApi

if TYPE_CHECKING:
    from collections.abc import Iterator

REGION = "eu-west-1"
FUNCTION = "my-app-Function1A2B3C"
KEYS = BotocoreCredentials(
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
)
REQUEST_ID = "8d3f2a4e-0000-4000-8000-00000000c0de"
LOCAL_ID = re.compile(
    r"local-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
)
SEND_WELCOME = "apps.jobs:send_welcome"

handler = make_handler(exploding_app)


@pytest.fixture(autouse=True)
def outside_lambda(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Lambda variables, nothing called yet, and the registry as it was after."""
    for name in (
        "AWS_LAMBDA_FUNCTION_NAME",
        "LAMBDA_TASK_ROOT",
        "CDK_WSGI_APP",
        "CDK_WSGI_BACKGROUND_TASKS",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_LAMBDA",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ):
        monkeypatch.delenv(name, raising=False)
    jobs.calls.clear()
    registry = dict(tasks._REGISTRY)
    modules = set(sys.modules)
    yield
    tasks._REGISTRY.clear()
    tasks._REGISTRY.update(registry)
    for name in set(sys.modules) - modules:
        if name.startswith("codetasks"):  # the modules these tests write
            del sys.modules[name]


def task_event(name: str = SEND_WELCOME, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return {
        "source": "cdk-wsgi.task",
        "task": name,
        "args": list(args),
        "kwargs": kwargs,
    }


def job_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "cdk_wsgi_adapter.jobs"]


class Holder:
    def method(self) -> None:
        pass


class TestDecorator:
    def test_registers_a_module_level_function_under_module_and_name(self) -> None:
        assert isinstance(jobs.send_welcome, tasks.Task)
        assert jobs.send_welcome.name == SEND_WELCOME
        assert tasks._REGISTRY[SEND_WELCOME] is jobs.send_welcome.function
        assert repr(jobs.send_welcome) == f"<task {SEND_WELCOME}>"
        # Still a function to call, with its metadata.
        assert jobs.send_welcome(1) == "not returned by the invocation"
        assert jobs.calls == [("send_welcome", (1, "hi"), {})]
        assert jobs.send_welcome.__name__ == "send_welcome"
        assert jobs.send_welcome.__wrapped__ is jobs.send_welcome.function

    def test_the_package_imports_it_on_first_lookup(self) -> None:
        script = textwrap.dedent(
            """
            import sys
            sys.path[:0] = [sys.argv[1]]
            import cdk_wsgi_adapter
            print("cdk_wsgi_adapter.tasks" in sys.modules)
            from cdk_wsgi_adapter import task
            print("cdk_wsgi_adapter.tasks" in sys.modules, cdk_wsgi_adapter.task is task)
            """
        )
        assert fresh_python(script).stdout.split() == ["False", "True", "True"]

    def test_a_lambda_is_refused(self) -> None:
        with pytest.raises(
            TypeError,
            match=r"@task takes a module-level function, and .*<lambda> is a lambda: define it with def at the top level",
        ):
            task(lambda: None)

    def test_a_nested_function_is_refused(self) -> None:
        def nested() -> None:
            pass

        with pytest.raises(
            TypeError,
            match=r"test_tasks:TestDecorator\.test_a_nested_function_is_refused\.<locals>\.nested is defined inside a function",
        ):
            task(nested)

    def test_a_method_is_refused(self) -> None:
        with pytest.raises(
            TypeError,
            match=r"test_tasks:Holder\.method is a method \(a task gets its JSON arguments, no instance or class\)",
        ):
            task(Holder.method)

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (print, "builtin_function_or_method <built-in function print>"),
            (functools.partial(print), "partial functools.partial"),
            (jobs.send_welcome, f"Task <task {SEND_WELCOME}>"),
            (Holder, "type <class 'test_tasks.Holder'>"),
        ],
    )
    def test_anything_but_a_function_is_refused(self, value: Any, shown: str) -> None:
        with pytest.raises(
            TypeError,
            match="@task takes a module-level function defined with def, got "
            + re.escape(shown),
        ):
            task(value)


class TestDelayHere:
    """Outside Lambda, .delay() runs the task at once, as Lambda would deliver it."""

    def test_runs_now_with_the_arguments_through_json(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        request_id = jobs.send_welcome.delay(7, "hello", (1, 2), {1: "a"}, flag=True)
        assert LOCAL_ID.fullmatch(request_id)
        # A tuple arrives as a list, an int key as a string: what JSON carries.
        assert jobs.calls == [
            ("send_welcome", (7, "hello", [1, 2], {"1": "a"}), {"flag": True})
        ]
        assert job_lines(caplog) == [
            f"task {SEND_WELCOME} started (request {request_id})",
            AnyMatching(
                rf"task {SEND_WELCOME} finished in \d+\.\d{{3}} s \(request {request_id}\)"
            ),
        ]

    def test_exceptions_propagate_and_are_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(ValueError, match="boom"):
            jobs.fail.delay("boom")
        [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert re.fullmatch(
            r"task apps\.jobs:fail failed after \d+\.\d{3} s \(request local-[0-9a-f-]+\)",
            failure.getMessage(),
        )
        assert failure.exc_info is not None

    @pytest.mark.parametrize(
        ("args", "kwargs", "message"),
        [
            (
                (object(),),
                {},
                "argument 1 (user_id) is a object, which is not JSON (Object of type object is not JSON serializable)",
            ),
            ((1, "x", {1, 2}), {}, "argument 3 is a set, which is not JSON"),
            (
                (float("nan"),),
                {},
                "argument 1 (user_id) is a float, which is not JSON (Out of range float values are not JSON compliant",
            ),
            (
                ([1, b"2"],),
                {},
                "argument 1 (user_id) is a list, which is not JSON (Object of type bytes is not JSON serializable)",
            ),
            (
                ({(1, 2): 3},),
                {},
                "argument 1 (user_id) is a dict, which is not JSON (keys must be str, int, float, bool or None, not tuple)",
            ),
            (
                (1,),
                {"when": datetime.date(2026, 1, 1)},
                "keyword argument when is a date, which is not JSON",
            ),
        ],
    )
    def test_arguments_that_are_not_json_are_refused(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(TypeError) as info:
            jobs.send_welcome.delay(*args, **kwargs)
        assert str(info.value).startswith(f"{SEND_WELCOME}.delay(): {message}")
        assert str(info.value).endswith(
            "; pass JSON values (str, int, float, bool, None, and lists and dicts of "
            "them), such as a record's ID rather than the record"
        )
        assert jobs.calls == []

    def test_a_payload_over_the_asynchronous_limit_is_refused(self) -> None:
        envelope = len(tasks.encode(jobs.send_welcome, ("",), {}))
        fits = "x" * (ASYNC_PAYLOAD_LIMIT - envelope)
        assert len(tasks.encode(jobs.send_welcome, (fits,), {})) == ASYNC_PAYLOAD_LIMIT
        jobs.send_welcome.delay(fits)
        assert len(jobs.calls) == 1
        with pytest.raises(ValueError) as info:
            jobs.send_welcome.delay(fits + "x")
        assert str(info.value) == (
            f"{SEND_WELCOME}.delay(): the task event is {ASYNC_PAYLOAD_LIMIT + 1} bytes, "
            "over Lambda's limit of 1048576 bytes for an asynchronous invocation's "
            "payload; pass an ID or an S3 key instead, and load the data in the task"
        )
        assert len(jobs.calls) == 1


class AnyMatching(str):
    """Equal to any string the pattern matches in full."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch(str(self), other) is not None

    __hash__ = str.__hash__


@pytest.fixture
def lambda_api() -> Iterator[LambdaApi]:
    with LambdaApi(KEYS, REGION) as api:
        yield api


@pytest.fixture
def on_lambda(lambda_api: LambdaApi, monkeypatch: pytest.MonkeyPatch) -> LambdaApi:
    """The function's environment on Lambda, with backgroundTasks, its Lambda API
    the local server."""
    for name, value in {
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION,
        "CDK_WSGI_BACKGROUND_TASKS": "1",
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": KEYS.access_key,
        "AWS_SECRET_ACCESS_KEY": KEYS.secret_key,
        "AWS_SESSION_TOKEN": KEYS.token,
        "AWS_ENDPOINT_URL_LAMBDA": lambda_api.url,
    }.items():
        monkeypatch.setenv(name, value)
    return lambda_api


SIGNED = ["content-type", "host", "x-amz-date", "x-amz-invocation-type"]


class TestDelayOnLambda:
    def test_queues_an_asynchronous_invoke_of_live_signed_with_sigv4(
        self, on_lambda: LambdaApi, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert jobs.send_welcome.delay(42, greeting="hello") == REQUEST_ID
        assert jobs.calls == []  # queued, not run
        [received] = on_lambda.requests
        assert received.signature_problem is None
        assert received.signed_headers == [*SIGNED, "x-amz-security-token"]
        assert received.method == "POST"
        assert received.path == f"/2015-03-31/functions/{FUNCTION}/invocations"
        assert received.query == {"Qualifier": ["live"]}
        assert received.headers["x-amz-invocation-type"] == "Event"
        assert received.headers["content-type"] == "application/json"
        assert received.headers["x-amz-security-token"] == KEYS.token
        assert received.json() == {
            "source": "cdk-wsgi.task",
            "task": SEND_WELCOME,
            "args": [42],
            "kwargs": {"greeting": "hello"},
        }
        assert job_lines(caplog) == [
            f"task {SEND_WELCOME} queued (request {REQUEST_ID})"
        ]
        # What Lambda then delivers to the function runs the task.
        assert handler(received.json(), ContextStub()) == {"task": SEND_WELCOME}
        assert jobs.calls == [("send_welcome", (42, "hello"), {})]

    @pytest.mark.parametrize("value", [None, "0", "true"])
    def test_without_background_tasks_it_raises_naming_the_prop(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch, value: str | None
    ) -> None:
        if value is None:
            monkeypatch.delenv("CDK_WSGI_BACKGROUND_TASKS")
        else:
            monkeypatch.setenv("CDK_WSGI_BACKGROUND_TASKS", value)
        with pytest.raises(RuntimeError) as info:
            jobs.send_welcome.delay(1)
        assert str(info.value) == (
            f"{SEND_WELCOME}.delay() queues the task on the function's 'live' alias, "
            "which this function may not do: turn on the construct's `backgroundTasks` "
            "prop (CDK_WSGI_BACKGROUND_TASKS is not 1)"
        )
        assert on_lambda.requests == []
        assert jobs.calls == []

    def test_arguments_are_checked_before_anything_is_sent(
        self, on_lambda: LambdaApi
    ) -> None:
        with pytest.raises(TypeError, match="is not JSON"):
            jobs.send_welcome.delay(object())
        assert on_lambda.requests == []

    def test_without_a_session_token(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        on_lambda.credentials = BotocoreCredentials(KEYS.access_key, KEYS.secret_key)
        monkeypatch.delenv("AWS_SESSION_TOKEN")
        jobs.send_welcome.delay(1)
        [received] = on_lambda.requests
        assert received.signature_problem is None
        assert received.signed_headers == SIGNED

    @pytest.mark.parametrize(
        "name",
        [
            "arn:aws:lambda:eu-west-1:123456789012:function:my-app",  # segments encoded twice
            "my-app-Function",
        ],
    )
    def test_the_path_and_an_endpoint_path_prefix_are_signed_as_sent(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch, name: str
    ) -> None:
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", name)
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", on_lambda.url + "/prefix/")
        jobs.send_welcome.delay(1)
        [received] = on_lambda.requests
        assert received.signature_problem is None
        encoded = name.replace(":", "%3A")
        assert received.path == f"/prefix/2015-03-31/functions/{encoded}/invocations"

    @pytest.mark.parametrize("source", ["variable", "file", "file over variable"])
    def test_snap_start_credentials_come_from_the_container_provider(
        self,
        on_lambda: LambdaApi,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        source: str,
    ) -> None:
        # SnapStart functions have no key variables, only the provider's endpoint.
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name)
        monkeypatch.setenv(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", on_lambda.url + CREDENTIALS_PATH
        )
        on_lambda.credentials_token = "container-token"
        on_lambda.credentials_document = {
            "AccessKeyId": KEYS.access_key,
            "SecretAccessKey": KEYS.secret_key,
            "Token": KEYS.token,
            "Expiration": "2026-11-21T12:00:00Z",
        }
        if source == "variable":
            monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token")
        else:
            token_file = tmp_path / "token"
            token_file.write_text("container-token\n")
            monkeypatch.setenv(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(token_file)
            )
            if source == "file over variable":
                monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "stale")
        assert jobs.send_welcome.delay(1) == REQUEST_ID
        assert [r["authorization"] for r in on_lambda.credentials_requests] == [
            "container-token"
        ]
        [received] = on_lambda.requests
        assert received.signature_problem is None
        assert received.headers["x-amz-security-token"] == KEYS.token

    @pytest.mark.parametrize("token", [None, "wrong"])
    def test_a_container_provider_that_refuses_is_an_error(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch, token: str | None
    ) -> None:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name)
        uri = on_lambda.url + CREDENTIALS_PATH
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri)
        on_lambda.credentials_token = "container-token"
        if token is not None:
            monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", token)
        with pytest.raises(RuntimeError) as info:
            jobs.send_welcome.delay(1)
        assert str(info.value) == (
            f"no AWS credentials from the container credential provider {uri}: it "
            """answered 403 b'{"message": "bad token"}'"""
        )
        assert on_lambda.requests == []

    def test_a_container_document_without_keys_is_an_error(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name)
        monkeypatch.setenv(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", on_lambda.url + CREDENTIALS_PATH
        )
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "t")
        on_lambda.credentials_token = "t"
        with pytest.raises(RuntimeError, match="it answered 200 b'{}'"):
            jobs.send_welcome.delay(1)

    def test_without_credentials_or_region(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        with pytest.raises(RuntimeError) as info:
            jobs.send_welcome.delay(1)
        assert str(info.value) == (
            "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not "
            "set, nor AWS_CONTAINER_CREDENTIALS_FULL_URI (as Lambda sets them)"
        )
        monkeypatch.delenv("AWS_REGION")
        with pytest.raises(RuntimeError) as info:
            jobs.send_welcome.delay(1)
        assert (
            str(info.value)
            == "no AWS region: AWS_REGION is not set (as Lambda sets it)"
        )
        assert on_lambda.requests == []

    @pytest.mark.parametrize(
        ("status", "headers", "body", "error"),
        [
            (
                404,
                {
                    "x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.awslambda/"
                },
                b'{"Type":"User","message":"Function not found: arn:aws:lambda:eu-west-1:123456789012:function:my-app-Function1A2B3C:live"}',
                "404 ResourceNotFoundException: Function not found: arn:aws:lambda:eu-west-1:123456789012:function:my-app-Function1A2B3C:live",
            ),
            (
                403,
                {"x-amzn-ErrorType": "AccessDeniedException"},
                b'{"Message":"User is not authorized to perform: lambda:InvokeFunction"}',
                "403 AccessDeniedException: User is not authorized to perform: lambda:InvokeFunction",
            ),
            (
                429,
                {},
                b'{"__type":"TooManyRequestsException","message":"Rate exceeded"}',
                "429 TooManyRequestsException: Rate exceeded",
            ),
            (400, {}, b'{"Type":"User"}', '400 User: {"Type":"User"}'),
            (
                500,
                {},
                b"<html>Internal error</html>",
                "500 unknown error: <html>Internal error</html>",
            ),
            (502, {}, b"[1]", "502 unknown error: [1]"),
        ],
    )
    def test_an_error_answer_raises_with_lambda_s_type_and_message(
        self,
        on_lambda: LambdaApi,
        status: int,
        headers: dict[str, str],
        body: bytes,
        error: str,
    ) -> None:
        on_lambda.answers = [(status, headers, body)]
        with pytest.raises(TaskQueueError) as info:
            jobs.send_welcome.delay(1)
        assert str(info.value) == (
            f"Lambda did not queue the task on {FUNCTION}:live: {error}"
        )
        assert jobs.calls == []

    def test_a_wrong_signature_would_be_refused(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The server checks what botocore signs: a wrong secret does not pass.
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        with pytest.raises(TaskQueueError, match="403 InvalidSignatureException"):
            jobs.send_welcome.delay(1)
        [received] = on_lambda.requests
        assert received.signature_problem is not None
        assert received.signature_problem.startswith("botocore signs it ")

    def test_a_queued_answer_without_request_id(self, on_lambda: LambdaApi) -> None:
        on_lambda.answers = [(202, {}, b"")]
        assert jobs.send_welcome.delay(1) == ""

    def test_lambda_unreachable(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with socket.create_server(("127.0.0.1", 0)) as closed:
            port = closed.getsockname()[1]
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{port}")
        with pytest.raises(TaskQueueError) as info:
            jobs.send_welcome.delay(1)
        assert str(info.value).startswith(
            f"cannot queue the task on {FUNCTION}:live: Lambda at http://127.0.0.1:{port} "
            "did not answer: ConnectionRefusedError("
        )

    def test_lambda_silent_times_out(
        self, on_lambda: LambdaApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(invoke, "INVOKE_TIMEOUT_SECONDS", 0.2)
        with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never answers
            monkeypatch.setenv(
                "AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{silent.getsockname()[1]}"
            )
            with pytest.raises(TaskQueueError, match=r"did not answer: TimeoutError"):
                jobs.send_welcome.delay(1)


class TestEndpoint:
    @pytest.mark.parametrize(
        ("environ", "url"),
        [
            ({"AWS_REGION": "eu-west-1"}, "https://lambda.eu-west-1.amazonaws.com"),
            (
                {"AWS_DEFAULT_REGION": "cn-north-1"},
                "https://lambda.cn-north-1.amazonaws.com.cn",
            ),
            ({"AWS_ENDPOINT_URL": "http://localhost:4566/"}, "http://localhost:4566"),
            (
                {
                    "AWS_ENDPOINT_URL_LAMBDA": "http://a:1",
                    "AWS_ENDPOINT_URL": "http://b:2",
                },
                "http://a:1",
            ),
            (
                {
                    "AWS_ENDPOINT_URL_LAMBDA": "http://a:1",
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE",
                    "AWS_REGION": "us-east-1",
                },
                "https://lambda.us-east-1.amazonaws.com",
            ),
        ],
    )
    def test_as_the_sdks_choose_it(self, environ: dict[str, str], url: str) -> None:
        assert invoke.endpoint(environ) == url


class TestSigV4:
    def test_the_example_of_aws_s_documentation(self) -> None:
        # The IAM ListUsers request of AWS's Signature Version 4 examples, and the
        # signature they give for it.
        headers = sigv4.sign(
            method="GET",
            path="/",
            query=sigv4.query_string(
                [("Version", "2010-05-08"), ("Action", "ListUsers")]
            ),
            headers={
                "Host": "iam.amazonaws.com",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            },
            body=b"",
            service="iam",
            region="us-east-1",
            credentials=sigv4.Credentials(
                "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None
            ),
            timestamp="20150830T123600Z",
        )
        assert headers["Authorization"] == (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        )

    def test_agrees_with_botocore_on_encoding_and_spaces(self) -> None:
        query = sigv4.query_string(
            [("b", "two words"), ("a", "é/~*+"), ("a", "1"), ("Qualifier", "live")]
        )
        # Sorted by the encoded names, then values: "%" before "1".
        assert query == "Qualifier=live&a=%C3%A9%2F~%2A%2B&a=1&b=two%20words"
        path = "/2015-03-31/functions/a%3Ab%20c/invocations"
        timestamp = "20260101T000000Z"
        signed = sigv4.sign(
            method="POST",
            path=path,
            query=query,
            headers={"Host": "example.com:8443", "X-Custom": "  a   b  c "},
            body=b'{"x": 1}',
            service="lambda",
            region=REGION,
            credentials=sigv4.Credentials(KEYS.access_key, KEYS.secret_key, KEYS.token),
            timestamp=timestamp,
        )
        request = AWSRequest(
            method="POST",
            url=f"https://example.com:8443{path}?{query}",
            data=b'{"x": 1}',
            headers={k: v for k, v in signed.items() if k != "Authorization"},
        )
        request.context["timestamp"] = timestamp
        auth = SigV4Auth(KEYS, "lambda", REGION)
        canonical = auth.canonical_request(request)
        signature = auth.signature(auth.string_to_sign(request, canonical), request)
        assert signed["Authorization"].endswith(f", Signature={signature}")


class TestTaskEvents:
    """Task events as Lambda delivers them to the handler."""

    def test_runs_the_registered_function(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        answer = handler(task_event(SEND_WELCOME, 5, greeting="yo"), ContextStub())
        assert answer == {"task": SEND_WELCOME}
        assert jobs.calls == [("send_welcome", (5, "yo"), {})]
        request = ContextStub.aws_request_id
        assert job_lines(caplog) == [
            f"task {SEND_WELCOME} started (request {request})",
            AnyMatching(
                rf"task {SEND_WELCOME} finished in \d+\.\d{{3}} s \(request {request}\)"
            ),
        ]

    def test_without_a_context(self, caplog: pytest.LogCaptureFixture) -> None:
        assert handler(task_event(SEND_WELCOME, 5), None) == {"task": SEND_WELCOME}
        assert job_lines(caplog)[0] == f"task {SEND_WELCOME} started (request unknown)"

    def test_an_exception_is_logged_with_its_traceback_and_raised(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(ValueError, match="task broke"):
            handler(task_event("apps.jobs:fail", "task broke"), ContextStub())
        [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert re.fullmatch(
            rf"task apps\.jobs:fail failed after \d+\.\d{{3}} s \(request {ContextStub.aws_request_id}\)",
            error.getMessage(),
        )
        assert error.exc_info is not None and error.exc_info[0] is ValueError

    @pytest.mark.parametrize(
        ("event", "problem"),
        [
            ({"source": "cdk-wsgi.task"}, "'task' must be 'module:function', got None"),
            (
                {**task_event(), "task": "send_welcome"},
                "'task' must be 'module:function', got 'send_welcome'",
            ),
            (
                {**task_event(), "task": "apps.jobs:Holder.method"},
                "'task' must be 'module:function', got 'apps.jobs:Holder.method'",
            ),
            (
                {**task_event(), "task": "apps..jobs:x"},
                "'task' must be 'module:function', got 'apps..jobs:x'",
            ),
            (
                {**task_event(), "task": ["apps.jobs:x"]},
                "'task' must be 'module:function', got ['apps.jobs:x']",
            ),
            ({**task_event(), "args": None}, "'args' must be a list, got None"),
            ({**task_event(), "args": "5"}, "'args' must be a list, got '5'"),
            ({**task_event(), "kwargs": []}, "'kwargs' must be an object, got []"),
            (
                {**task_event(), "kwargs": {1: "a"}},
                "'kwargs' must be an object, got {1: 'a'}",
            ),
            ({**task_event(), "queue": "x", "0": 1}, "unexpected keys ['0', 'queue']"),
            (
                {**task_event(), "task": "x:" + "y-" * 50},
                "'task' must be 'module:function', got 'x:" + ("y-" * 50)[:74] + "...",
            ),
        ],
    )
    def test_a_malformed_event_never_reaches_the_app_s_code(
        self, event: dict[str, Any], problem: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        with pytest.raises(MalformedEventError) as info:
            handler(event, ContextStub())
        keys = ", ".join(sorted(map(str, event)))
        assert str(info.value) == (
            f"malformed task event ({problem}): received keys [{keys}]; expected "
            '{"source": "cdk-wsgi.task", "task": "module:function", "args": [...], '
            '"kwargs": {...}}'
        )
        assert caplog.records[-1].getMessage() == str(info.value)
        assert caplog.records[-1].levelno == logging.ERROR
        assert jobs.calls == []

    def test_an_unknown_name_in_a_module_of_the_code(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(TESTS))
        with pytest.raises(UnknownTaskError) as info:
            handler(task_event("apps.jobs:nope"), ContextStub())
        assert str(info.value) == (
            f"unknown task 'apps.jobs:nope' (request {ContextStub.aws_request_id}): "
            "module apps.jobs registers no function under that name; registered with "
            f"@task: apps.jobs:fail, {SEND_WELCOME}"
        )
        assert caplog.records[-1].getMessage() == str(info.value)

    def test_the_message_names_20_registered_tasks_at_most(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(
            tasks, "_REGISTRY", {f"m:t{i:02}": print for i in range(23)}
        )
        with pytest.raises(
            UnknownTaskError,
            match=r"registered with @task: m:t00, m:t01, .*, m:t19 and 3 more$",
        ):
            handler(task_event("sys:nope"), ContextStub())
        monkeypatch.setattr(tasks, "_REGISTRY", {})
        with pytest.raises(UnknownTaskError, match=r"registered with @task: none$"):
            handler(task_event("sys:nope"), ContextStub())


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))


WORK = """
    from cdk_wsgi_adapter import task

    done = []

    @task
    def work(value):
        done.append(value)
"""


class TestImportForATaskEvent:
    """A name not registered yet: its module is imported if it is the function's code."""

    @pytest.fixture
    def root(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
        return tmp_path

    @pytest.mark.parametrize(
        ("relative", "module"),
        [
            ("codetasks_a.py", "codetasks_a"),
            ("codetasks_b/__init__.py", "codetasks_b"),
            ("codetasks_c/jobs.py", "codetasks_c.jobs"),  # a namespace package
            ("codetasks_d/sub/jobs.py", "codetasks_d.sub.jobs"),
        ],
    )
    def test_a_module_under_the_code_root_is_imported(
        self, root: Path, relative: str, module: str
    ) -> None:
        write(root, relative, WORK)
        if relative.startswith("codetasks_d"):
            write(root, "codetasks_d/__init__.py", "")
            write(root, "codetasks_d/sub/__init__.py", "")
        assert handler(task_event(f"{module}:work", 3), ContextStub()) == {
            "task": f"{module}:work"
        }
        assert sys.modules[module].done == [3]

    def test_a_module_whose_import_fails_is_logged_and_raised(
        self, root: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        write(root, "codetasks_broken.py", "raise RuntimeError('broken at import')")
        with pytest.raises(RuntimeError, match="broken at import"):
            handler(task_event("codetasks_broken:work"), ContextStub())
        assert caplog.records[-1].getMessage() == (
            f"task codetasks_broken:work (request {ContextStub.aws_request_id}): "
            "importing its module codetasks_broken failed"
        )
        assert caplog.records[-1].exc_info is not None

    def test_a_module_outside_the_code_root_is_never_imported(
        self, root: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert "this" not in sys.modules  # `import this` prints the Zen of Python
        with pytest.raises(UnknownTaskError) as info:
            handler(task_event("this:s"), ContextStub())
        assert "this" not in sys.modules
        spec = importlib.util.find_spec("this")
        assert spec is not None and spec.origin is not None
        path = os.path.realpath(spec.origin)
        assert str(info.value).startswith(
            f"unknown task 'this:s' (request {ContextStub.aws_request_id}): module this "
            f"is at {path}, outside the function's code ({os.path.realpath(root)}); "
            "registered with @task: "
        )
        assert caplog.records[-1].levelno == logging.ERROR

    @pytest.mark.parametrize(
        ("name", "reason"),
        [
            (
                "json:dumps",
                r"module json is at .*/json/__init__\.py, outside the function's code",
            ),
            (
                "email.mime:x",
                r"module email is at .*/email/__init__\.py, outside the function's code",
            ),
            (
                "sys:exit",
                r"module sys is not a file of the function's code \(built-in\)",
            ),
            ("codetasks_nosuch:x", r"module codetasks_nosuch is not found"),
            (
                "codetasks_plain.sub:x",
                r"module codetasks_plain\.sub is not found \(__path__ attribute not found on 'codetasks_plain'",
            ),
            (
                "__main__:x",
                r"module __main__ is a __main__ module, which runs when imported",
            ),
            (
                "codetasks_pkg.__main__:x",
                r"module codetasks_pkg\.__main__ is a __main__ module",
            ),
            (
                "pytest:main",
                r"module pytest is at .*/pytest/__init__\.py, outside the function's code",
            ),
        ],
    )
    def test_refused_modules(self, root: Path, name: str, reason: str) -> None:
        write(root, "codetasks_plain.py", "")
        with pytest.raises(UnknownTaskError, match=f": {reason}"):
            handler(task_event(name), ContextStub())

    def test_a_module_of_a_bundled_distribution_is_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # On Lambda the function's dependencies sit beside its code, in /var/task.
        site_packages = os.path.dirname(os.path.dirname(pytest.__file__))
        monkeypatch.setenv("LAMBDA_TASK_ROOT", site_packages)
        imported = "iniconfig" in sys.modules
        with pytest.raises(UnknownTaskError) as info:
            handler(task_event("iniconfig:IniConfig"), ContextStub())
        assert (
            ": module iniconfig is part of the installed distribution iniconfig, not of the function's own code;"
            in str(info.value)
        )
        assert ("iniconfig" in sys.modules) == imported

    def test_the_app_s_own_package_may_be_an_installed_distribution(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        site_packages = os.path.dirname(os.path.dirname(pytest.__file__))
        monkeypatch.setenv("LAMBDA_TASK_ROOT", site_packages)
        monkeypatch.setenv("CDK_WSGI_APP", "iniconfig:app")
        with pytest.raises(
            UnknownTaskError,
            match="module iniconfig registers no function under that name",
        ):
            handler(task_event("iniconfig:IniConfig"), ContextStub())
        assert "iniconfig" in sys.modules


class TestCodeRoot:
    def test_lambda_task_root(self, tmp_path: Path) -> None:
        link = tmp_path / "link"
        link.symlink_to(TESTS)
        assert tasks.code_root({"LAMBDA_TASK_ROOT": str(link)}) == os.path.realpath(
            TESTS
        )

    @pytest.mark.parametrize("app", ["apps.flask_app:app", "apps:x", "conftest:x"])
    def test_else_the_folder_the_app_came_from(self, app: str) -> None:
        import apps.flask_app  # noqa: F401

        assert tasks.code_root({"CDK_WSGI_APP": app}) == os.path.realpath(TESTS)

    @pytest.mark.parametrize(
        "environ", [{}, {"CDK_WSGI_APP": "codetasks_not_imported:app"}]
    )
    def test_else_the_working_directory(self, environ: dict[str, str]) -> None:
        assert tasks.code_root(environ) == os.path.realpath(os.getcwd())


def test_a_task_event_id_is_unique() -> None:
    assert (
        len(
            {
                tasks._run_here(tasks.encode(jobs.send_welcome, (1,), {}))
                for _ in range(3)
            }
        )
        == 3
    )
    assert (
        uuid.UUID(
            tasks._run_here(tasks.encode(jobs.send_welcome, (1,), {}))[6:]
        ).version
        == 4
    )


def test_the_task_event_is_the_contract_s() -> None:
    payload = tasks.encode(jobs.send_welcome, (1, "x"), {"k": [None, True, 1.5]})
    assert json.loads(payload) == {
        "source": "cdk-wsgi.task",
        "task": SEND_WELCOME,
        "args": [1, "x"],
        "kwargs": {"k": [None, True, 1.5]},
    }
    assert b" " not in payload
