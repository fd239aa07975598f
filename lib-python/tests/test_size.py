"""The size guard's cheap bound never undercounts, and the guard stays exact."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.size import json_size_bound
from cdk_wsgi_adapter.sources.base import ALB_RESPONSE_LIMIT
from conftest import ContextStub
from events import make_alb_event

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

SAMPLES: list[Any] = [
    "",
    "plain",
    'quote " and backslash \\',
    "controls \n\r\t\b\f\x00\x1f\x7f",
    "caf\u00e9 \u2028 \U0001f600",
    0,
    -12345,
    True,
    False,
    None,
    [],
    ["a", "b\n"],
    {},
    {"K\u00e9y": ["v", "w"], "x": "y"},
    1.5,  # never in a response: the bound gives up rather than guess
]


@pytest.mark.parametrize("value", SAMPLES)
def test_bound_is_at_least_the_encoded_length(value: Any) -> None:
    result = {"statusCode": 200, "headers": {"h": value}, "body": value}
    assert json_size_bound(result) >= len(json.dumps(result))


def test_base64_body_is_counted_exactly() -> None:
    body = "QUJD+/9=" * 1000
    result = {"body": body, "isBase64Encoded": True}
    # Only the body is exact; `true` and the separators are rounded up.
    assert 0 <= json_size_bound(result) - len(json.dumps(result)) <= 40


def test_text_body_is_not_counted_as_base64() -> None:
    result = {"body": "\u00e9" * 10, "isBase64Encoded": False}
    assert json_size_bound(result) >= len(json.dumps(result))


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
