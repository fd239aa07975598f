"""The text-versus-base64 decision for response bodies, as a matrix."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest

from cdk_wsgi_adapter import make_handler
from conftest import Capture, ContextStub
from events import make_http_event, make_rest_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment

UTF8 = "h\u00e9llo".encode()
BINARY = b"\x89PNG\r\n\x1a\n\xff"
B64 = base64.b64encode(BINARY).decode()


def encode(
    content_type: str | None, body: bytes, **options: object
) -> tuple[str, bool]:
    headers = [] if content_type is None else [("Content-Type", content_type)]
    capture = Capture(status="200 OK", headers=headers, body=body)
    # A missing Content-Type is a PEP 3333 violation the validator rejects; bypass it there.
    app = capture.app if content_type is not None else capture._app
    response = make_handler(app, **options)(make_http_event(), ContextStub())  # type: ignore[arg-type]
    return response["body"], response["isBase64Encoded"]


class TestResponseBody:
    @pytest.mark.parametrize(
        "content_type",
        [
            "text/html; charset=utf-8",
            "TEXT/CSV",
            "application/json",
            "application/problem+json",
            "application/xml",
            "image/svg+xml",
            "application/javascript",
            "application/x-www-form-urlencoded",
            "application/yaml",
            "application/graphql",
        ],
    )
    def test_default_text_types(self, content_type: str) -> None:
        assert encode(content_type, UTF8) == ("h\u00e9llo", False)

    @pytest.mark.parametrize(
        "content_type",
        ["image/png", "application/octet-stream", "application/pdf", "nonsense", None],
    )
    def test_other_types_are_base64(self, content_type: str | None) -> None:
        assert encode(content_type, UTF8) == (base64.b64encode(UTF8).decode(), True)

    def test_text_type_with_invalid_utf8_falls_back_to_base64(self) -> None:
        assert encode("text/plain", BINARY) == (B64, True)

    # With a Set-Cookie, the response headers take the general path, one at a time.
    @pytest.mark.parametrize("cookie", [[], [("Set-Cookie", "a=b")]])
    def test_content_encoding_forces_base64(
        self, cookie: list[tuple[str, str]]
    ) -> None:
        capture = Capture(
            headers=[
                ("Content-Type", "text/plain"),
                ("Content-Encoding", "gzip"),
                *cookie,
            ],
            body=UTF8,
        )
        response = make_handler(capture.app)(make_http_event(), ContextStub())
        assert (response["body"], response["isBase64Encoded"]) == (
            base64.b64encode(UTF8).decode(),
            True,
        )

    def test_custom_text_types(self) -> None:
        options = {"text_media_types": [" application/vnd.custom ", "font/*"]}
        assert encode("application/vnd.custom; v=1", UTF8, **options) == (
            "h\u00e9llo",
            False,
        )
        assert encode("font/woff2", UTF8, **options) == ("h\u00e9llo", False)

    def test_empty_body_is_empty_text(self) -> None:
        assert encode("image/png", b"") == ("", False)


class TestRestBinaryMediaTypes:
    def run(
        self, content_type: str, body: bytes, binary_media_types: list[str]
    ) -> tuple[str, bool]:
        capture = Capture(headers=[("Content-Type", content_type)], body=body)
        handler = make_handler(capture.app, binary_media_types=binary_media_types)
        response = handler(make_rest_event(), ContextStub())
        return response["body"], response["isBase64Encoded"]

    def test_listed_type_is_base64(self) -> None:
        assert self.run("image/png", BINARY, ["image/*"]) == (B64, True)

    def test_star_star_lifts_the_restriction(self) -> None:
        assert self.run("application/octet-stream", UTF8, ["*/*"]) == (
            base64.b64encode(UTF8).decode(),
            True,
        )

    def test_unlisted_type_goes_out_as_text_when_utf8(self) -> None:
        assert self.run("application/octet-stream", UTF8, ["image/png"]) == (
            "h\u00e9llo",
            False,
        )

    def test_unlisted_undecodable_type_warns_and_sends_base64(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        assert self.run("application/octet-stream", BINARY, []) == (B64, True)
        assert "'application/octet-stream' is not UTF-8 text" in caplog.text

    def test_text_type_listed_as_binary_stays_text(self) -> None:
        assert self.run("text/plain", UTF8, ["text/plain"]) == ("h\u00e9llo", False)


def test_content_types_past_the_remembered_ones_are_still_classified() -> None:
    # A handler matches media types once per distinct Content-Type, up to a bound: an
    # app may put anything in it (multipart boundaries vary).
    content_type = ""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", content_type)])
        return [UTF8]

    handler = make_handler(app)
    for n in range(300):
        content_type = f"text/plain; boundary={n}"
        assert handler(make_http_event(), ContextStub())["isBase64Encoded"] is False
    content_type = "image/x-past-the-bound"
    assert handler(make_http_event(), ContextStub())["isBase64Encoded"] is True


class TestRequestBody:
    """isBase64Encoded bodies are RFC 4648 base64, or the event is malformed."""

    @pytest.mark.parametrize(
        ("body", "raw"),
        [("", b""), ("YQ==", b"a"), ("YWI=", b"ab"), ("YWJj", b"abc"), (B64, BINARY)],
    )
    def test_valid(self, body: str, raw: bytes) -> None:
        capture = Capture()
        event = make_rest_event(method="POST")
        event["body"], event["isBase64Encoded"] = body, True
        assert make_handler(capture.app)(event, ContextStub())["statusCode"] == 200
        assert capture.input == raw

    @pytest.mark.parametrize(
        "body",
        [
            "!!!!",  # a2b_base64 alone reads it as b""
            "YQ",
            "YQ=",
            "YQ===",
            "A===",
            "====",
            "=YQ=",
            "YQ==YQ==",
            "Y Q==",
            "YQ==\n",
            "-_-_",
            "\u00e9AAA",
            "\udcffAAA",
        ],
    )
    def test_anything_else_is_a_400(
        self, body: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        event = make_rest_event(method="POST")
        event["body"], event["isBase64Encoded"] = body, True
        response = make_handler(Capture().app)(event, ContextStub())
        assert response["statusCode"] == 400
        assert "isBase64Encoded is true but the body is not base64" in caplog.text
