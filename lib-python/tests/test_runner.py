"""PEP 3333 server-side duties: start_response, exc_info, write(), close(), errors."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.exceptions import DeadlineExceeded
from conftest import ContextStub
from events import make_http_event, make_rest_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

SERVER_ERROR = {
    "statusCode": 500,
    "headers": {"Content-Type": "text/plain; charset=utf-8"},
    "cookies": [],
    "body": "Internal Server Error",
    "isBase64Encoded": False,
}


def call(app: WSGIApplication, wrap: bool = True) -> dict[str, Any]:
    return make_handler(validator(app) if wrap else app)(
        make_http_event(), ContextStub()
    )


class Body:
    """A result iterable that records close()."""

    def __init__(self, chunks: list[bytes], fail_at: int | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_at:
                raise RuntimeError("boom in iteration")
            yield chunk

    def close(self) -> None:
        self.closed = True


class TestRunner:
    def test_chunks_are_joined_and_close_is_called(self) -> None:
        body = Body([b"a", b"", b"b"])

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(
                "201 Created",
                [
                    ("Content-Type", "text/plain"),
                    ("Keep-Alive", "5"),
                    ("Proxy-Foo", "x"),
                ],
            )
            return body

        assert call(app) == {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain"},
            "cookies": [],
            "body": "ab",
            "isBase64Encoded": False,
        }
        assert body.closed

    def test_exception_while_iterating_still_closes_and_answers_500(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        body = Body([b"a", b"b"], fail_at=1)

        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return body

        assert call(app) == SERVER_ERROR
        assert body.closed
        assert "boom in iteration" in caplog.text
        assert "unhandled exception in the WSGI app for GET /" in caplog.text

    def test_app_raising_answers_plain_500_without_leaking(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            raise ValueError("secret detail")

        response = call(app)
        assert response == SERVER_ERROR
        assert "secret detail" not in str(response)
        assert "secret detail" in caplog.text

    def test_exc_info_before_body_replaces_the_headers(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            try:
                raise KeyError("x")
            except KeyError:
                start_response(
                    "503 Service Unavailable",
                    [("Content-Type", "text/plain")],
                    sys.exc_info(),
                )
            return [b"sorry"]

        assert call(app)["statusCode"] == 503

    def test_exc_info_after_body_reraises(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"partial")
            try:
                raise KeyError("late failure")
            except KeyError:
                start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "text/plain")],
                    sys.exc_info(),
                )
            return [b"never"]

        assert call(app) == SERVER_ERROR
        assert "late failure" in caplog.text

    def test_a_tuple_result_is_read_like_a_list(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return (b"one ", b"two")

        # Unwrapped: the validator would hand over its own iterator instead.
        assert call(app, wrap=False)["body"] == "one two"

    def test_write_callable_is_buffered_before_the_iterable(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            write = start_response("200 OK", [("Content-Type", "text/plain")])
            write(b"one ")
            return [b"two"]

        assert call(app)["body"] == "one two"

    @pytest.mark.parametrize(
        ("status", "headers"),
        [
            ("OK", [("Content-Type", "text/plain")]),
            ("2000 OK", [("Content-Type", "text/plain")]),
            (b"200 OK", [("Content-Type", "text/plain")]),
            ("200 OK", [(b"Content-Type", "text/plain")]),
            ("200 OK", [("Content-Type", "text/plain", "extra")]),
            ("200 OK", (("Content-Type", "text/plain"),)),
        ],
    )
    def test_invalid_status_or_headers_are_a_500(
        self, status: Any, headers: Any
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(status, headers)
            return [b"x"]

        assert call(app, wrap=False) == SERVER_ERROR

    def test_status_without_reason_is_accepted(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("204", [])
            return []

        assert call(app, wrap=False)["statusCode"] == 204

    @pytest.mark.parametrize("misuse", ["twice", "never"])
    def test_protocol_misuse_is_a_500(
        self, misuse: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            if misuse == "twice":
                start_response("200 OK", [("Content-Type", "text/plain")])
                start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"x"]

        # The validator would flag these misuses itself; the adapter must cope unaided.
        assert call(app, wrap=False) == SERVER_ERROR
        assert "start_response()" in caplog.text

    @pytest.mark.parametrize(
        "header",
        [
            ("Location", "/x\r\nSet-Cookie: evil=1"),
            ("X-Bad\n", "v"),
            ("X-Ok", "line\nbreak"),
        ],
    )
    def test_cr_or_lf_in_headers_fails_closed(
        self, header: tuple[str, str], caplog: pytest.LogCaptureFixture
    ) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("302 Found", [("Content-Type", "text/plain"), header])
            return [b""]

        # Unwrapped: the validator itself rejects such headers before the adapter sees them.
        assert call(app, wrap=False) == SERVER_ERROR
        assert "ValueError: header" in caplog.text

    def test_utf8_header_values_are_sent_as_text(self) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response(
                "200 OK",
                [
                    ("Content-Type", "text/plain"),
                    ("X-Utf8", "caf\u00e9".encode().decode("latin-1")),
                    ("X-Latin1", "caf\u00e9"),
                ],
            )
            return [b""]

        headers = call(app)["headers"]
        assert headers["X-Utf8"] == "caf\u00e9"
        assert headers["X-Latin1"] == "caf\u00e9"

    def test_rest_response_too_large(self, caplog: pytest.LogCaptureFixture) -> None:
        def app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            start_response("200 OK", [("Content-Type", "application/octet-stream")])
            return [b"\xff" * (5 * 1024 * 1024)]  # 6.7 MB once base64-encoded

        response = make_handler(validator(app))(make_rest_event(), ContextStub())
        assert response["statusCode"] == 502
        assert response["body"].startswith("The response is ")
        assert "for API Gateway, over its limit of 6291456 bytes." in response["body"]
        assert set(response) == {
            "statusCode",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        }


class OwnBaseException(BaseException):
    """A BaseException of the app's own (gevent's Timeout is one)."""


BASE_EXCEPTIONS = [
    SystemExit(0),
    SystemExit("bye"),
    KeyboardInterrupt(),
    GeneratorExit(),
    OwnBaseException(),
]


class Raising:
    """An app raising `exception` when called, while iterating or in close()."""

    def __init__(self, exception: BaseException, where: str) -> None:
        self.exception = exception
        self.where = where
        self.closed = False

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if self.where == "call":
            raise self.exception
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self

    def __iter__(self) -> Iterator[bytes]:
        yield b"part"
        if self.where == "iteration":
            raise self.exception

    def close(self) -> None:
        self.closed = True
        if self.where == "close":
            raise self.exception


class TestBaseExceptions:
    """Whatever the app raises ends its request, never the environment."""

    @pytest.mark.parametrize("where", ["call", "iteration", "close"])
    @pytest.mark.parametrize("exception", BASE_EXCEPTIONS, ids=repr)
    def test_a_logged_500_and_the_handler_serves_on(
        self, exception: BaseException, where: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        app = Raising(exception, where)
        handler = make_handler(app)
        assert handler(make_http_event(), ContextStub()) == SERVER_ERROR
        assert app.closed is (where != "call")
        [record] = caplog.records
        assert record.getMessage() == "unhandled exception in the WSGI app for GET /"
        assert record.exc_info is not None and record.exc_info[1] is exception
        app.where = "nowhere"
        assert handler(make_http_event(), ContextStub())["statusCode"] == 200

    def test_the_adapter_s_own_deadline_propagates(self) -> None:
        app = Raising(DeadlineExceeded(), "iteration")
        with pytest.raises(DeadlineExceeded):
            make_handler(app)(make_http_event(), ContextStub())
        assert app.closed


def test_status_lines_past_the_remembered_ones_are_still_read() -> None:
    # Status lines are validated once each, up to a bound: an app may put anything in
    # the reason phrase.
    for n in range(300):

        def app(environ: Any, start_response: Any, n: int = n) -> list[bytes]:
            start_response(f"299 Reason {n}", [("Content-Type", "text/plain")])
            return [b"ok"]

        assert make_handler(app)(make_http_event(), ContextStub())["statusCode"] == 299
