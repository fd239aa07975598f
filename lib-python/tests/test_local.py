"""CDK_WSGI_LOCAL_HTTP: the app behind the CLI's plain-HTTP stand-in for its front door."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import cdk_wsgi_adapter
from events import make_http_event, make_rest_event

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment

seen: list[tuple[str, str]] = []


def url_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    seen.append((environ["wsgi.url_scheme"], environ["SERVER_PORT"]))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@pytest.fixture(autouse=True)
def _clear() -> None:
    seen.clear()


def handler(**environ: str) -> Any:
    return cdk_wsgi_adapter._init({"CDK_WSGI_APP": f"{__name__}:url_app", **environ})


def test_the_app_sees_https_on_443_as_deployed() -> None:
    handler()(make_rest_event(headers={"X-Forwarded-Port": ["8000"]}), None)
    assert seen == [("https", "443")]


@pytest.mark.parametrize(
    ("forwarded", "port"),
    [
        (["8000"], "8000"),
        (["8000 "], "8000"),
        ([], "80"),
        (["80a"], "80"),
        (["８０"], "80"),
    ],
)
def test_behind_the_local_stand_in_it_sees_http_and_the_local_port(
    forwarded: list[str], port: str
) -> None:
    headers = {"X-Forwarded-Port": forwarded} if forwarded else {}
    handler(CDK_WSGI_LOCAL_HTTP="1")(make_rest_event(headers=headers), None)
    assert seen == [("http", str(port))]


def test_http_api_events_too() -> None:
    event = make_http_event(headers={"x-forwarded-port": "5000"})
    handler(CDK_WSGI_LOCAL_HTTP="1")(event, None)
    assert seen == [("http", "5000")]


@pytest.mark.parametrize("value", ["0", "", "true"])
def test_only_1_turns_it_on(value: str) -> None:
    handler(CDK_WSGI_LOCAL_HTTP=value)(make_rest_event(), None)
    assert seen == [("https", "443")]
