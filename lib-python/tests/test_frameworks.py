"""End to end through real Flask, Django, Pyramid, Bottle and Falcon apps."""

from __future__ import annotations

import base64
import importlib
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest

from cdk_wsgi_adapter import make_handler
from conftest import ContextStub
from events import make_function_url_event, make_http_event, make_rest_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.adapter import Handler

FRAMEWORKS = ["flask", "django", "pyramid", "bottle", "falcon"]
STAGE_HOST = "abc123.execute-api.us-east-1.amazonaws.com"
DOMAIN = "api.example.com"


@pytest.fixture(params=FRAMEWORKS)
def handler(request: pytest.FixtureRequest) -> Handler:
    module = importlib.import_module(f"apps.{request.param}_app")
    return make_handler(validator(module.app), base_paths={DOMAIN: "v1"})


def multipart(filename: str, data: bytes) -> tuple[str, bytes]:
    boundary = "cdkwsgiboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def body_of(response: dict[str, Any]) -> str:
    assert response["isBase64Encoded"] is False, response
    text: str = response["body"]
    return text


class TestFrameworks:
    def test_hello_on_every_front_door(self, handler: Handler) -> None:
        for event in (
            make_rest_event(path="/hello"),
            make_http_event(raw_path="/hello"),
            make_function_url_event(raw_path="/hello"),
        ):
            response = handler(event, ContextStub())
            assert (response["statusCode"], body_of(response)) == (200, "hello")

    def test_url_generation_under_a_rest_stage(self, handler: Handler) -> None:
        response = handler(make_rest_event(path="/url", stage="prod"), ContextStub())
        assert body_of(response) == f"https://{STAGE_HOST}/prod/hello"

    def test_url_generation_under_a_base_path(self, handler: Handler) -> None:
        # HTTP API custom domain: rawPath lacks the mapping key, SCRIPT_NAME still carries it.
        event = make_http_event(raw_path="/url", domain=DOMAIN, stage="live")
        assert body_of(handler(event, ContextStub())) == f"https://{DOMAIN}/v1/hello"

    def test_url_generation_under_a_rest_base_path(self, handler: Handler) -> None:
        event = make_rest_event(
            path="/v1/url", domain=DOMAIN, headers={"Host": [DOMAIN]}
        )
        assert body_of(handler(event, ContextStub())) == f"https://{DOMAIN}/v1/hello"

    def test_redirect_keeps_the_stage(self, handler: Handler) -> None:
        response = handler(
            make_rest_event(path="/redirect", stage="prod"), ContextStub()
        )
        assert response["statusCode"] in (302, 303, 307)
        [location] = next(
            v
            for k, v in response["multiValueHeaders"].items()
            if k.lower() == "location"
        )
        assert location in ("/prod/hello", f"https://{STAGE_HOST}/prod/hello")

    def test_cookies_in_and_out(self, handler: Handler) -> None:
        event = make_http_event(raw_path="/cookies", cookies=["a=42", "b=1"])
        response = handler(event, ContextStub())
        assert body_of(response) == "42"
        assert [cookie.split(";")[0] for cookie in response["cookies"]] == [
            "x=1",
            "y=2",
        ]
        assert not any(name.lower() == "set-cookie" for name in response["headers"])

    def test_cookies_on_rest(self, handler: Handler) -> None:
        event = make_rest_event(
            path="/cookies", headers={"Host": [STAGE_HOST], "Cookie": ["a=7"]}
        )
        response = handler(event, ContextStub())
        assert body_of(response) == "7"
        assert [
            c.split(";")[0] for c in response["multiValueHeaders"]["Set-Cookie"]
        ] == ["x=1", "y=2"]

    def test_repeated_query_keys(self, handler: Handler) -> None:
        http = make_http_event(raw_path="/query", raw_query="k=1&k=2&k=%C3%A9&k=a+b")
        rest = make_rest_event(path="/query", query={"k": ["1", "2", "\u00e9", "a b"]})
        for event in (http, rest):
            assert body_of(handler(event, ContextStub())) == "1,2,\u00e9,a b"

    def test_file_upload(self, handler: Handler) -> None:
        content_type, body = multipart("data.bin", bytes(range(256)))
        # HTTP API base64-encodes every multipart body.
        event = make_http_event(method="POST", raw_path="/upload", body=body)
        event["headers"]["content-type"] = content_type
        assert body_of(handler(event, ContextStub())) == "data.bin:256"

    def test_binary_download(self, handler: Handler) -> None:
        response = handler(make_function_url_event(raw_path="/binary"), ContextStub())
        assert response["isBase64Encoded"] is True
        assert base64.b64decode(response["body"]) == bytes(range(256))

    @pytest.mark.parametrize(
        "event",
        [
            make_rest_event(path="/unicode/caf%C3%A9"),
            make_http_event(raw_path="/unicode/caf\u00e9"),
            make_function_url_event(raw_path="/unicode/caf%C3%A9"),
        ],
        ids=["rest", "http", "url"],
    )
    def test_unicode_path(self, handler: Handler, event: dict[str, Any]) -> None:
        assert body_of(handler(event, ContextStub())) == "caf\u00e9"
