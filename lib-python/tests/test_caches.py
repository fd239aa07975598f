"""The per-process memos of the hot path are bounded and never change an answer.

Header layouts, status lines, hosts and content types are chosen by clients or apps,
so each memo stops growing at its bound; requests past it are computed afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdk_wsgi_adapter import environ, make_handler, response
from conftest import Capture, ContextStub, run
from events import make_alb_event, make_http_event

if TYPE_CHECKING:
    from collections.abc import Iterable

    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment

DISTINCT = 300  # more than any of the bounds


def test_header_layouts_past_the_bound_are_still_translated() -> None:
    for n in range(DISTINCT):
        capture, _ = run(make_http_event(headers={f"x-layout-{n}": str(n)}))
        assert capture.environ[f"HTTP_X_LAYOUT_{n}"] == str(n)
    assert len(environ._LAYOUTS) == environ._MAX_LAYOUTS


def test_status_lines_past_the_bound_are_still_read() -> None:
    for n in range(DISTINCT):
        capture = Capture(status=f"299 Reason {n}")
        assert run(make_http_event(), capture)[1]["statusCode"] == 299
    assert len(response._STATUS_CODES) == response._MAX_STATUS_CODES


def test_hosts_past_the_bound_still_get_their_base_path() -> None:
    capture = Capture()
    handler = make_handler(capture.app, base_paths={"api.example.com": "v1"})
    for n in range(DISTINCT):
        host = "api.example.com" if n == DISTINCT - 1 else f"h{n}.example.com"
        event = make_alb_event(path="/v1/items", headers={"host": [host]})
        handler(event, ContextStub())
        assert (capture.environ["SCRIPT_NAME"], capture.environ["PATH_INFO"]) == (
            "/v1" if host == "api.example.com" else "",
            "/items" if host == "api.example.com" else "/v1/items",
        )


def test_content_types_past_the_bound_are_still_classified() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", environ["HTTP_X_TYPE"])])
        return [b"ok"]

    handler = make_handler(app)
    for n in range(DISTINCT):
        kind = "text/plain" if n % 2 else "image/png"
        event = make_http_event(headers={"x-type": f"{kind}; n={n}"})
        answer: dict[str, Any] = handler(event, ContextStub())
        assert answer["isBase64Encoded"] is (kind == "image/png")


def test_response_header_names_past_the_bound_keep_their_rules() -> None:
    # Hop-by-hop headers are what is tested, so no wsgiref.validate around this app.
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        name = environ["HTTP_X_NAME"]
        headers = [(name, "a"), (name, "b")]
        if environ.get("HTTP_X_LAST"):  # spellings first seen past the bound
            headers += [
                ("KEEP-alive", "5"),
                ("set-COOKIE", "a=1"),
                ("CONTENT-encoding", "br"),
            ]
        start_response("200 OK", headers)
        return [b"ok"]

    handler = make_handler(app)
    for n in range(DISTINCT):
        last = {"x-last": "1"} if n == DISTINCT - 1 else {}
        event = make_http_event(headers={"x-name": f"X-Name-{n}", **last})
        answer: dict[str, Any] = handler(event, ContextStub())
        assert answer["headers"] == {f"X-Name-{n}": "a, b"} | (
            {"CONTENT-encoding": "br"} if last else {}
        )
    assert answer["cookies"] == ["a=1"]
    assert answer["isBase64Encoded"] is True  # Content-Encoding was recognised
    assert len(response._ROLES) == response._MAX_ROLES
