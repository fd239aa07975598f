"""Percent-decoding, form encoding and media-type matching helpers."""

from __future__ import annotations

from urllib.parse import quote_plus, urlencode
from urllib.parse import unquote_to_bytes as stdlib_unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdk_wsgi_adapter.config import Options
from cdk_wsgi_adapter.environ import mount
from cdk_wsgi_adapter.media import MediaTypes
from cdk_wsgi_adapter.quoting import form_encode, plain_form_query, unquote_to_bytes


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
    def test_unquote_to_bytes(self, text: str, raw: bytes) -> None:
        assert unquote_to_bytes(text) == raw

    @given(st.text())
    def test_unquote_matches_the_stdlib(self, text: str) -> None:
        try:
            expected = stdlib_unquote(text.encode("utf-8"))
        except UnicodeEncodeError:
            return
        assert unquote_to_bytes(text) == expected

    @given(st.lists(st.tuples(st.text(), st.text())))
    def test_form_encode_matches_the_stdlib(self, pairs: list[tuple[str, str]]) -> None:
        try:
            expected = urlencode(pairs, quote_via=quote_plus, safe="~")
        except UnicodeEncodeError:
            return
        assert form_encode(pairs) == expected

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
        assert form_encode([(value, value)]) == expected

    @given(st.lists(st.tuples(st.text(), st.text()), min_size=1))
    def test_plain_form_query_is_none_or_the_stdlib_encoding(
        self, pairs: list[tuple[str, str]]
    ) -> None:
        query = plain_form_query([f"{key}={value}" for key, value in pairs])
        if query is not None:
            assert query == urlencode(pairs, quote_via=quote_plus, safe="~")

    @pytest.mark.parametrize(
        ("pairs", "query"),
        [
            ([("q", "big widgets"), ("page", "2")], "q=big+widgets&page=2"),
            ([("d", "2024-01-31"), ("v", "1.2_rc~1")], "d=2024-01-31&v=1.2_rc~1"),
            ([("", ""), ("k", "")], "=&k="),
            ([("a", "b&c=d")], None),  # one value holding both separators
            ([("a=b", "c")], None),
            ([("a", "b"), ("c", "d=")], None),
            ([("x", "a+b")], None),
            ([("x", "\u00e9")], None),
            ([("x", "a/b")], None),
        ],
    )
    def test_plain_form_query(
        self, pairs: list[tuple[str, str]], query: str | None
    ) -> None:
        assert plain_form_query([f"{k}={v}" for k, v in pairs]) == query


class TestMount:
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
    def test_mount(
        self, path: str, domain: str, stage: str, expected: tuple[str, str]
    ) -> None:
        options = Options(
            text_media_types=(), binary_media_types=None, base_paths=self.BASE_PATHS
        )
        environ: dict[str, object] = {}
        mount(environ, path, True, domain, stage, False, options)
        assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == expected

    def test_a_decoded_path_is_not_decoded_again(self) -> None:
        options = Options(text_media_types=(), binary_media_types=None, base_paths={})
        environ: dict[str, object] = {}
        mount(environ, "/100%25/café", False, "example.com", "", True, options)
        assert environ["PATH_INFO"] == "/100%25/caf\xc3\xa9"


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
