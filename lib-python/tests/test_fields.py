"""Malformed fields answer 400; null fields read as empty."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.config import Options
from cdk_wsgi_adapter.sources import alb, rest_v1
from cdk_wsgi_adapter.sources.payload_v2 import http_api
from conftest import ContextStub, run
from events import make_alb_event, make_http_event, make_rest_event

if TYPE_CHECKING:
    from collections.abc import Callable

    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment


def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


handler = make_handler(app)


@pytest.mark.parametrize("bad", [["x", 1], [None], "x", 7, ("x",)])
@pytest.mark.parametrize(
    "field", ["multiValueHeaders", "multiValueQueryStringParameters"]
)
def test_bad_multi_value_lists_are_400(bad: Any, field: str) -> None:
    for event in (make_rest_event(), make_alb_event(multi_value=True)):
        event[field] = {"x-ok": ["fine"], "x-bad": bad}
        assert handler(event, ContextStub())["statusCode"] == 400


@pytest.mark.parametrize("bad", [1, ["x"], {"a": "b"}])
@pytest.mark.parametrize("field", ["headers", "queryStringParameters"])
def test_bad_single_values_are_400(bad: Any, field: str) -> None:
    event = make_rest_event()
    event["multiValueHeaders"] = event["multiValueQueryStringParameters"] = None
    event[field] = {"ok": "fine", "bad": bad}
    assert handler(event, ContextStub())["statusCode"] == 400


def test_null_values_read_as_empty() -> None:
    event = make_rest_event()
    event["multiValueHeaders"] = {"x-null": None, "x-one": ["1"]}
    event["multiValueQueryStringParameters"] = None
    event["queryStringParameters"] = {"a": None, "b": "2"}
    assert handler(event, ContextStub())["statusCode"] == 200
    event["multiValueQueryStringParameters"] = {"a": None, "b": ["2"]}
    capture, response = run(event)
    assert response["statusCode"] == 200
    assert capture.environ["QUERY_STRING"] == "b=2"


def test_null_request_context_falls_back_to_the_host_header() -> None:
    event = make_rest_event(headers={"Host": ["example.com"]})
    event["requestContext"] = None
    capture, response = run(event)
    assert response["statusCode"] == 200
    assert capture.environ["SERVER_NAME"] == "example.com"


def test_null_single_header_values_read_as_empty() -> None:
    capture, response = run(make_http_event(headers={"x-null": None}))  # type: ignore[dict-item]
    assert response["statusCode"] == 200
    assert capture.environ["HTTP_X_NULL"] == ""


@pytest.mark.parametrize("cookies", [["a=1", 2], "a=1", [None]])
def test_bad_cookies_are_400(cookies: Any) -> None:
    event = make_http_event()
    event["cookies"] = cookies
    assert handler(event, ContextStub())["statusCode"] == 400


class _Text(str):
    """A str subclass, as events built in Python by make_handler users may hold."""


@pytest.mark.parametrize("source", [rest_v1, alb, http_api])
def test_a_str_subclass_method_is_accepted(source: Any) -> None:
    # At the source: the validator would reject the subclass reaching the environ.
    factory: dict[Any, Callable[[], dict[str, Any]]] = {
        rest_v1: make_rest_event,
        alb: make_alb_event,
        http_api: make_http_event,
    }
    event = factory[source]()
    if source is http_api:
        event["requestContext"]["http"]["method"] = _Text("PUT")
    else:
        event["httpMethod"] = _Text("PUT")
    environ = source.to_environ(event, ContextStub(), Options())
    assert environ["REQUEST_METHOD"] == "PUT"


def test_header_names_past_the_remembered_ones_are_still_translated() -> None:
    # Each distinct header name is turned into its environ key once, up to a bound,
    # since clients choose the names.
    for n in range(600):
        capture, _ = run(make_http_event(headers={f"x-layout-{n}": str(n)}))
        assert capture.environ[f"HTTP_X_LAYOUT_{n}"] == str(n)
