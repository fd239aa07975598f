"""Percent-decoding, form encoding and media-type matching helpers."""

from __future__ import annotations

from urllib.parse import quote_plus, urlencode
from urllib.parse import unquote_to_bytes as stdlib_unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdk_wsgi_adapter.config import Options
from cdk_wsgi_adapter.environ import set_path
from cdk_wsgi_adapter.media import MediaTypes
from cdk_wsgi_adapter.quoting import form_encode, unquote_to_wsgi
from conftest import run
from events import make_http_event


class TestQuoting:
    @pytest.mark.parametrize(
        ("text", "raw"),
        [
            ("/a%20b", b"/a b"),
            ("%zz%4", b"%zz%4"),
            ("%e2%82%AC", "\u20ac".encode()),
            ("\u00e9", b"\xc3\xa9"),
            ("%", b"%"),
        ],
    )
    def test_unquote_to_wsgi(self, text: str, raw: bytes) -> None:
        assert unquote_to_wsgi(text) == raw.decode("latin-1")

    @given(st.text())
    def test_unquote_matches_the_stdlib(self, text: str) -> None:
        try:
            expected = stdlib_unquote(text.encode("utf-8"))
        except UnicodeEncodeError:
            return
        assert unquote_to_wsgi(text) == expected.decode("latin-1")

    @given(st.lists(st.tuples(st.text(), st.text())))
    def test_form_encode_matches_the_stdlib(self, pairs: list[tuple[str, str]]) -> None:
        try:
            expected = urlencode(pairs, quote_via=quote_plus, safe="~")
        except UnicodeEncodeError:
            return
        assert (
            form_encode(tuple(k for k, _ in pairs), [v for _, v in pairs]) == expected
        )

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "abc123",
            "big widgets",
            " lead",
            "a  b",
            "   ",
            "\u00e9t\u00e9",
            "a b\u00e9",
            "\u0663",
            "a_b",
            "x-y.z~",
            "a+b",
            "a&b=c",
            "\u00b2 x",
        ],
    )
    def test_form_encode_fast_paths_match_the_stdlib(self, value: str) -> None:
        expected = urlencode([(value, value)], quote_via=quote_plus, safe="~")
        assert form_encode((value,), [value]) == expected

    @pytest.mark.parametrize(
        ("pairs", "query"),
        [
            ([("q", "big widgets"), ("page", "2")], "q=big+widgets&page=2"),
            ([("d", "2024-01-31"), ("v", "1.2_rc~1")], "d=2024-01-31&v=1.2_rc~1"),
            ([("", ""), ("k", "")], "=&k="),
            ([("a", "b&c=d")], "a=b%26c%3Dd"),
            ([("x", "a+b")], "x=a%2Bb"),
            ([("x", "\u00e9")], "x=%C3%A9"),
        ],
    )
    def test_form_encode(self, pairs: list[tuple[str, str]], query: str) -> None:
        assert form_encode(tuple(k for k, _ in pairs), [v for _, v in pairs]) == query


class TestSetPath:
    BASE_PATHS = {"api.example.com": "api"}
    EXECUTE_API = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"

    @pytest.mark.parametrize(
        ("path", "domain", "stage", "expected"),
        [
            ("/api/x", "api.example.com", "", ("/api", "/x")),
            ("/api/caf%C3%A9", "api.example.com", "", ("/api", "/caf\xc3\xa9")),
            ("/api%2Fx", "api.example.com", "", ("/api", "/x")),
            ("/apiary", "api.example.com", "", ("/api", "/apiary")),
            ("/api", "api.example.com", "", ("/api", "")),
            ("/api/api/x", "api.example.com", "", ("/api", "/api/x")),
            # REST: `path` leaves the stage out, so a path that starts like it keeps it.
            ("/api/x", EXECUTE_API, "api", ("/api", "/api/x")),
            ("/x", "example.com", "", ("", "/x")),
            ("x", "example.com", "", ("", "/x")),
        ],
    )
    def test_set_path(
        self, path: str, domain: str, stage: str, expected: tuple[str, str]
    ) -> None:
        options = Options(base_paths=self.BASE_PATHS)
        environ: dict[str, object] = {}
        set_path(
            environ, unquote_to_wsgi(path), domain, stage, options, stage_in_path=False
        )
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == expected

    def test_an_http_api_path_is_not_decoded_again(self) -> None:
        capture, _ = run(make_http_event(raw_path="/100%25/café"))
        assert capture.environ["PATH_INFO"] == "/100%25/caf\xc3\xa9"


class TestMediaTypes:
    def test_matching(self) -> None:
        types = MediaTypes(["Text/*", "application/json", "+xml", " "])
        assert "text/html; charset=utf-8" in types
        assert "APPLICATION/JSON" in types
        assert "image/svg+xml" in types
        assert "application/jsonx" not in types
        assert "text" not in types
        assert "" not in types
        assert "anything/at-all" in MediaTypes(["*/*"])
