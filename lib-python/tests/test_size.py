"""The size guard's cheap bound never undercounts, and the guard stays exact."""

from __future__ import annotations

import json
import re
import string
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.config import Options
from cdk_wsgi_adapter.response import Response
from cdk_wsgi_adapter.size import oversize
from cdk_wsgi_adapter.sources import detect
from cdk_wsgi_adapter.sources.base import ALB_RESPONSE_LIMIT
from conftest import ContextStub
from events import make_alb_event, make_http_event, make_rest_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

# Every response shape: REST, payload 2.0, ALB in both header modes.
EVENTS = [
    make_rest_event(),
    make_http_event(),
    make_alb_event(multi_value=True),
    make_alb_event(multi_value=False),
]
# Header values as WSGI apps may send them: latin-1 text, and UTF-8 bytes read as
# latin-1 for what JSON must escape (quotes, backslashes, U+2028, astral characters).
utf8_as_latin1 = st.sampled_from('"\\\u2028\U0001f600').map(
    lambda char: char.encode().decode("latin-1")
)
# No control character but HTAB: the others are a 500 (test_response_validity).
CONTROLS = "".join(map(chr, (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))))

# Latin-1 text, or UTF-8 (ASCII and the pieces above), never a mix: read as latin-1
# where it does not decode, a mix could hold C1 bytes.
header_value = st.text(
    st.characters(codec="latin-1", exclude_characters=CONTROLS), max_size=12
) | st.lists(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.just("\t")
    | utf8_as_latin1,
    max_size=12,
).map("".join)
header_name = st.sampled_from(["Content-Type", "Set-Cookie", "X-A", "x-a"]) | st.text(
    st.sampled_from(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    event=st.sampled_from(EVENTS),
    status=st.sampled_from(["200 OK", "404 Not Found", "302 Found \u00e9"]),
    headers=st.lists(st.tuples(header_name, header_value), max_size=6),
    content_type=st.sampled_from(["text/plain", "application/json", "image/png"]),
    body=st.binary(max_size=64) | st.text(max_size=32).map(str.encode),
)
def test_the_cheap_bound_never_undercounts(
    event: dict[str, Any],
    status: str,
    headers: list[tuple[str, str]],
    content_type: str,
    body: bytes,
) -> None:
    source = detect(event)
    assert source is not None
    response = Response(status, [("Content-Type", content_type), *headers], body)
    result = source.to_response(event, response, Options())
    size = len(json.dumps(result))
    # An undercounting bound would let a response one byte over the limit through.
    assert oversize(response, result, size - 1) == size
    assert oversize(response, result, size) is None


def test_base64_body_is_counted_exactly() -> None:
    response = Response("200 OK", [("Content-Type", "image/png")], b"\xff" * 30_000)
    event = make_http_event()
    source = detect(event)
    assert source is not None
    result = source.to_response(event, response, Options())
    assert result["isBase64Encoded"] is True
    # Only the frame around the body is rounded up: no serialising 1 KiB under a limit.
    assert oversize(response, result, len(json.dumps(result)) + 1024) is None


def _text_app(body: bytes) -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    return app


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("spare", [0, 1])
def test_alb_response_exactly_at_the_limit_passes(binary: bool, spare: int) -> None:
    """A text body whose bound is far over the limit is still measured exactly."""
    event = make_alb_event(multi_value=True)
    content = b"\xff" if binary else b"x"
    empty = make_handler(_text_app(content))(event, ContextStub())
    overhead = len(json.dumps(empty)) - len(empty["body"])
    # Base64 grows by 4/3: a body length divisible by 3 hits the limit exactly.
    room = ALB_RESPONSE_LIMIT - overhead - spare
    length = room // 4 * 3 if binary else room
    response = make_handler(_text_app(content * length))(event, ContextStub())
    assert response["statusCode"] == 200
    assert len(json.dumps(response)) == ALB_RESPONSE_LIMIT - spare - (
        room % 4 if binary else 0
    )


def test_alb_response_one_byte_over_the_limit_is_a_502() -> None:
    event = make_alb_event(multi_value=True)
    empty = make_handler(_text_app(b""))(event, ContextStub())
    overhead = len(json.dumps(empty))
    body = b"x" * (ALB_RESPONSE_LIMIT - overhead + 1)
    response = make_handler(_text_app(body))(event, ContextStub())
    assert response["statusCode"] == 502
    assert f"The response is {ALB_RESPONSE_LIMIT + 1} bytes" in response["body"]


@pytest.mark.parametrize("multi_value", [True, False])
def test_alb_oversized_response_is_a_logged_502_in_the_request_mode(
    multi_value: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """ALB answers a response over 1 MB with its own bare 502: the app's log and
    body say why instead (load-balancer-troubleshooting.html#http-502-issues)."""
    event = make_alb_event(multi_value=multi_value)
    response = make_handler(_text_app(b"x" * ALB_RESPONSE_LIMIT))(event, ContextStub())
    match = re.fullmatch(
        r"The response is (\d+) bytes once encoded for an Application Load Balancer, over its limit of "
        rf"{ALB_RESPONSE_LIMIT} bytes\.",
        response["body"],
    )
    assert match
    assert int(match[1]) > ALB_RESPONSE_LIMIT
    content_type = "text/plain; charset=utf-8"
    assert response == {
        "statusCode": 502,
        "statusDescription": "502 Bad Gateway",
        **(
            {"multiValueHeaders": {"Content-Type": [content_type]}}
            if multi_value
            else {"headers": {"Content-Type": content_type}}
        ),
        "body": match[0],
        "isBase64Encoded": False,
    }
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", match[0])
    ]
