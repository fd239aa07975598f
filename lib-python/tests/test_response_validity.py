"""Every response is valid, whatever the app does: property tests over generated apps.

A generated app picks its status line, its header list and how its body goes (chunks,
write() calls, an exception part-way). On every source the answer must be well formed
and encodable as UTF-8. When the app broke a rule (PEP 3333, RFC 9110) the answer is a
logged plain 500, otherwise the app's status, headers and body, whole. The rules are
restated here with regular expressions, independently of the adapter's code.
"""

from __future__ import annotations

import base64
import builtins
import functools
import json
import logging
import re
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.log import LOGGER_NAME
from cdk_wsgi_adapter.response import HOP_BY_HOP_HEADERS, Response
from conftest import ContextStub
from events import (
    make_alb_event,
    make_function_url_event,
    make_http_event,
    make_rest_event,
)

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment

# A status line with a printable latin-1 reason phrase (no control characters, and
# neither of latin-1's two invisible ones, NBSP and the soft hyphen), an RFC 9110
# section 5.6.2 token, and a latin-1 field value whose text as sent (its bytes read
# as UTF-8 where they decode) has no control character but HTAB (RFC 9110 section
# 5.5): C0, DEL and C1.
STATUS = re.compile(r"[1-5][0-9]{2}(?: [\x20-\x7e\xa1-\xac\xae-\xff]*)?")
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
LATIN1 = re.compile(r"[\x00-\xff]*")
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
CONTROLS = [chr(c) for c in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))]

# Every source, in each of its response shapes.
SOURCES: dict[str, Callable[[], dict[str, Any]]] = {
    "rest_v1": make_rest_event,
    "http_v1": lambda: make_rest_event(version="1.0"),
    "http_v2": make_http_event,
    "function_url": make_function_url_event,
    "alb": make_alb_event,
    "alb_multi_value": lambda: make_alb_event(multi_value=True),
}
SHAPES = {
    "rest_v1": {"statusCode", "multiValueHeaders", "body", "isBase64Encoded"},
    "http_v2": {"statusCode", "headers", "cookies", "body", "isBase64Encoded"},
    "alb": {"statusCode", "statusDescription", "headers", "body", "isBase64Encoded"},
    "alb_multi_value": {
        "statusCode",
        "statusDescription",
        "multiValueHeaders",
        "body",
        "isBase64Encoded",
    },
}
SHAPES["http_v1"] = SHAPES["rest_v1"]
SHAPES["function_url"] = SHAPES["http_v2"]
SERVER_ERROR: tuple[dict[str, str], list[str]] = (
    {"content-type": "text/plain; charset=utf-8"},
    [],
)


def utf8_as_latin1(text: str) -> str:
    """UTF-8 bytes in a WSGI header value: latin-1 text, one character per byte."""
    return text.encode().decode("latin-1")


def as_sent(value: str) -> str:
    """A latin-1 header value as the response carries it: UTF-8 where it decodes."""
    with suppress(UnicodeDecodeError):
        return value.encode("latin-1").decode("utf-8")
    return value


def valid_value(value: str) -> bool:
    return bool(LATIN1.fullmatch(value)) and not CONTROL.search(as_sent(value))


any_char = (
    st.characters()
    | st.characters(codec="latin-1")
    | st.characters(categories=["Cs"])  # lone surrogates
)
token = st.text(
    st.sampled_from(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~"),
    min_size=1,
    max_size=8,
)

valid_statuses = st.sampled_from(
    ["200 OK", "100 Continue", "204", "201 ", "302 Found \u00e9", "599 Last"]
) | st.builds(
    "{} {}".format,
    st.integers(100, 599),
    st.text(
        st.sampled_from("\xa1\xe9\xff")
        | st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    ),
)
any_statuses = st.one_of(
    st.sampled_from(
        [
            "200 OK\r\nSet-Cookie: sid=attacker",
            "200 OK\tthen a tab",
            "000 Zero",
            "099 Low",
            "600 Beyond",
            "2000 OK",
            "200OK",
            "OK",
            "",
            " 200 OK",
            "\u0662\u0660\u0660 OK",  # Arabic-Indic digits
            "200 OK\x7f",
            "200 \x85",
            "200 \udcff",
            "200 \u20ac",
        ]
    ),
    st.builds(
        "{:03d}{}{}".format,
        st.integers(0, 999),
        st.sampled_from(["", " ", "\t", "x"]),
        st.text(any_char, max_size=8),
    ),
    st.sampled_from([b"200 OK", 200, None]),
)

valid_names = token | st.sampled_from(
    [
        "Content-Type",
        "content-type",
        "Content-Encoding",
        "Set-Cookie",
        "set-COOKIE",
        "X-A",
        "x-a",
        "Connection",
        "Keep-Alive",
        "Proxy-Foo",
    ]
)
any_names = st.sampled_from(["Bad Name", "", "X-Bad\n", "X:Y", "Caf\u00e9"]) | st.text(
    any_char, max_size=6
)
valid_values = st.one_of(
    st.sampled_from(
        [
            "text/plain",
            "text/html; charset=utf-8",
            "image/png",
            "gzip",
            "sid=1; Secure; HttpOnly",
            " padded\t",
            utf8_as_latin1("caf\u00e9"),
            utf8_as_latin1("\U0001f600"),
            "caf\u00e9",
        ]
    ),
    # HTAB and the printable latin-1 characters: no C1 byte, so no UTF-8 reading of
    # them is a control character either.
    st.text(
        st.characters(codec="latin-1", exclude_characters="".join(CONTROLS)),
        max_size=10,
    ),
)
controls = st.sampled_from(CONTROLS) | st.sampled_from(
    [utf8_as_latin1("\x85"), utf8_as_latin1("\x9f")]  # C1, sent as UTF-8 bytes
)
any_values = st.one_of(
    st.sampled_from(
        [
            "\r",
            "\n",
            "a\r\nSet-Cookie: x=1",
            "a\x00b",
            "a\x0bb",  # VT
            "\x1b[31mred",  # ESC
            "x\x7f",  # DEL
            "\x85",  # NEL, C1
            utf8_as_latin1("\x85"),
            "\udcff",
            "\u20ac",
            "\U0001f600",
        ]
    ),
    # A valid value with control characters put in anywhere.
    st.builds(
        lambda value, inserts: functools.reduce(
            lambda text, insert: text[: insert[0]] + insert[1] + text[insert[0] :],
            inserts,
            value,
        ),
        valid_values,
        st.lists(st.tuples(st.integers(0, 12), controls), min_size=1, max_size=3),
    ),
    st.text(st.characters(codec="latin-1"), max_size=10),
    st.text(any_char, max_size=6),
)
odd_headers: st.SearchStrategy[Any] = st.one_of(
    st.tuples(valid_names, any_values),
    st.tuples(any_names, valid_values),
    st.sampled_from(
        [
            ["X-A", "1"],  # a list unpacks like a tuple
            # Not (str, str) pairs: errors of their own.
            ("X-A",),
            ("X-A", "1", "2"),
            (b"X-A", "1"),
            ([], "1"),
            ("X-A", b"1"),
            None,
        ]
    ),
)


@st.composite
def header_lists(draw: st.DrawFn) -> Any:
    """Valid headers, one list in two with an odd one among them; now and then a
    tuple instead of a list."""
    headers = draw(st.lists(st.tuples(valid_names, valid_values), max_size=4))
    if draw(st.booleans()):
        headers.insert(draw(st.integers(0, len(headers))), draw(odd_headers))
    return tuple(headers) if draw(st.integers(0, 9)) == 0 else headers


# Three status lines in four keep the rules, so that valid apps are common.
statuses = st.integers(0, 3).flatmap(
    lambda n: any_statuses if n == 3 else valid_statuses
)


class OwnBaseException(BaseException):
    """A BaseException class of the app's own (gevent's Timeout is one)."""


def _no_argument_classes() -> list[type[BaseException]]:
    """Every built-in exception class that can be raised without arguments."""
    classes = []
    for value in vars(builtins).values():
        if isinstance(value, type) and issubclass(value, BaseException):
            try:
                value()
            except TypeError:  # UnicodeDecodeError and the like need arguments
                continue
            classes.append(value)
    return sorted(classes, key=lambda cls: cls.__name__)


#: What the app raises: any exception, SystemExit, KeyboardInterrupt and
#: GeneratorExit included.
exceptions = st.builds(
    lambda cls: cls(),
    st.sampled_from([*_no_argument_classes(), OwnBaseException]),
) | st.builds(SystemExit, st.none() | st.integers(-3, 3) | st.text(max_size=4))


@dataclass
class Body:
    """The app's result iterable; raises `exception` before chunk `fail_at`, if set,
    and in close() when `fail_at` is -1."""

    chunks: list[bytes]
    fail_at: int | None
    exception: BaseException
    closed: bool = False

    def __iter__(self) -> Iterator[bytes]:
        for index in range(len(self.chunks) + 1):
            if index == self.fail_at:
                raise self.exception
            if index < len(self.chunks):
                yield self.chunks[index]

    def close(self) -> None:
        self.closed = True
        if self.fail_at == -1:
            raise self.exception


@dataclass
class App:
    """A generated WSGI app; deliberately unwrapped by wsgiref.validate, which would
    stop it before the adapter sees what it sends."""

    status: Any
    headers: Any
    written: list[bytes]
    chunks: list[bytes]
    #: Raise `exception` before chunk `fail_at`; in close() when -1, before calling
    #: start_response() when -2.
    fail_at: int | None
    exception: BaseException = field(default_factory=RuntimeError)
    bodies: list[Body] = field(default_factory=list)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Body:
        if self.fail_at == -2:
            raise self.exception
        write = start_response(self.status, self.headers)
        for chunk in self.written:
            write(chunk)
        body = Body(self.chunks, self.fail_at, self.exception)
        self.bodies.append(body)
        return body

    def is_valid(self) -> bool:
        """Whether the app kept every rule, by the regular expressions above."""
        return (
            isinstance(self.status, str)
            and STATUS.fullmatch(self.status) is not None
            and isinstance(self.headers, list)
            and all(
                isinstance(header, (tuple, list))  # lists unpack as well
                and len(header) == 2
                and isinstance(header[0], str)
                and isinstance(header[1], str)
                and TOKEN.fullmatch(header[0]) is not None
                and valid_value(header[1])
                for header in self.headers
            )
            and (self.fail_at is None or self.fail_at > len(self.chunks))
        )

    def fields(self) -> tuple[dict[str, str], list[str]]:
        """The headers a valid app sent, as `delivered` reads them from a result."""
        fields: dict[str, list[str]] = {}
        cookies = []
        for name, value in self.headers:
            lowered = name.lower()
            if lowered in HOP_BY_HOP_HEADERS or lowered.startswith("proxy-"):
                continue
            value = as_sent(value).strip(" \t")
            if lowered == "set-cookie":
                cookies.append(value)
            else:
                fields.setdefault(lowered, []).append(value)
        return {name: ", ".join(group) for name, group in fields.items()}, cookies


apps = st.builds(
    App,
    status=statuses,
    headers=header_lists(),
    written=st.lists(st.binary(max_size=8), max_size=2),
    chunks=st.lists(
        st.binary(max_size=12) | st.text(max_size=6).map(str.encode), max_size=3
    ),
    fail_at=st.sampled_from([None, None, None, -2, -1, 0, 1, 2, 3]),
    exception=exceptions,
)


class Records(logging.Handler):
    """Keeps the records it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """The error records the adapter logs inside the block."""
    handler = Records()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def header_items(result: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(name, values) of the headers of any source's result, cookies[] aside."""
    if "multiValueHeaders" in result:
        return list(result["multiValueHeaders"].items())
    return [(name, [value]) for name, value in result["headers"].items()]


def well_formed(source: str, result: dict[str, Any]) -> None:
    """The result has its source's shape, valid fields, and encodes as UTF-8."""
    assert set(result) == SHAPES[source]
    # Lambda's runtime writes the result as UTF-8 JSON; a lone surrogate would fail it.
    json.dumps(result, ensure_ascii=False).encode("utf-8")
    assert type(result["statusCode"]) is int
    assert 100 <= result["statusCode"] <= 599
    if "statusDescription" in result:
        assert STATUS.fullmatch(result["statusDescription"])
        assert result["statusDescription"][:3] == str(result["statusCode"])
    for name, group in [
        *header_items(result),
        ("Set-Cookie", result.get("cookies", [])),
    ]:
        assert TOKEN.fullmatch(name)
        for value in group:
            assert isinstance(value, str)
            assert not CONTROL.search(value)
    assert isinstance(result["body"], str)
    assert type(result["isBase64Encoded"]) is bool


def delivered(result: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """(lowercase name -> values joined by ", ", Set-Cookie values) of any result."""
    fields: dict[str, str] = {}
    cookies = list(result.get("cookies", []))
    for name, group in header_items(result):
        lowered = name.lower()
        if lowered == "set-cookie":  # ALB single-value: one per spelling, in order
            cookies += group
        else:
            assert lowered not in fields  # grouped case-insensitively
            fields[lowered] = ", ".join(group)
    return fields, cookies


def body_bytes(result: dict[str, Any]) -> bytes:
    if result["isBase64Encoded"]:
        return base64.b64decode(result["body"], validate=True)
    encoded: bytes = result["body"].encode("utf-8")
    return encoded


class TestGeneratedApps:
    @settings(max_examples=1000)
    @given(apps)
    def test_every_source_answers_validly(self, app: App) -> None:
        valid = app.is_valid()
        event("valid app" if valid else "invalid app")
        if app.fail_at is not None:
            event(f"raises {type(app.exception).__name__}")
        handler = make_handler(app)
        for source, make_event in SOURCES.items():
            with errors_logged() as errors:
                result = handler(make_event(), ContextStub())
            well_formed(source, result)
            if valid:
                assert not errors
                assert result["statusCode"] == int(app.status[:3])
                assert result.get("statusDescription", app.status) == app.status
                assert delivered(result) == app.fields()
                assert body_bytes(result) == b"".join(app.written + app.chunks)
            else:
                assert len(errors) == 1
                assert result["statusCode"] == 500
                assert delivered(result) == SERVER_ERROR
                assert result["body"] == "Internal Server Error"
        assert all(body.closed for body in app.bodies)

    @settings(max_examples=20)  # every count drawn from
    @given(count=st.integers(0, 3) | st.integers(505, 520))
    def test_cookies_are_delivered_whole_or_refused(self, count: int) -> None:
        # ALB without multi-value headers carries one Set-Cookie per spelling of the
        # name, 2**9 of them; past that, a logged error rather than a silent drop.
        cookies = [f"c{index}=1" for index in range(count)]
        app = App(
            "200 OK", [("Set-Cookie", cookie) for cookie in cookies], [], [], None
        )
        handler = make_handler(app)
        for source, make_event in SOURCES.items():
            with errors_logged() as errors:
                result = handler(make_event(), ContextStub())
            well_formed(source, result)
            if source == "alb" and count > 512:
                assert len(errors) == 1
                assert result["statusCode"] == 500
                assert delivered(result) == SERVER_ERROR
            else:
                assert not errors
                assert delivered(result) == ({}, cookies)


class TestRules:
    """The rules one by one, with the cases fuzzing found."""

    @pytest.mark.parametrize(
        ("status", "code"),
        [
            ("100 Continue", 100),
            ("599 Last", 599),
            ("204", 204),
            ("200 ", 200),
            ("302 Found \u00e9", 302),
        ],
    )
    def test_valid_status_lines(self, status: str, code: int) -> None:
        assert Response(status, []).status_code == code

    @pytest.mark.parametrize(
        "status",
        [
            "200 OK\r\nSet-Cookie: sid=attacker",
            "000 Zero",
            "099 Low",
            "600 Beyond",
            "2000 OK",
            "200OK",
            "\u0662\u0660\u0660 OK",
            "200 OK\x00",
            "200 OK\t",
            "200 OK\x7f",
            "200 \x85",
            "200 \u20ac",
            "200 \udcff",
        ],
    )
    def test_invalid_status_lines(self, status: str) -> None:
        with pytest.raises(ValueError, match="invalid WSGI status"):
            Response(status, [])

    def test_status_must_be_a_str(self) -> None:
        with pytest.raises(TypeError, match="WSGI status must be a str"):
            Response(b"200 OK", [])  # type: ignore[arg-type]

    @pytest.mark.parametrize("name", ["Bad Name", "", "X-Bad\n", "X:Y", "Caf\u00e9"])
    def test_header_names_must_be_tokens(self, name: str) -> None:
        with pytest.raises(ValueError, match="is not an RFC 9110 token"):
            Response("200 OK", [(name, "v")])

    @pytest.mark.parametrize(
        "value",
        [
            "a\rb",
            "a\nb",
            "a\x00b",
            "a\x0bb",
            "\x1b[0m",
            "a\x7f",
            "\x80",
            "a\x85b",
            "\x9f",
            utf8_as_latin1("caf\u00e9 \x85"),  # NEL as UTF-8 bytes
            "\x01\x7f\x85",
        ],
    )
    def test_values_must_not_hold_control_characters(self, value: str) -> None:
        # Hop-by-hop headers too, though they are dropped: fail closed.
        for name in ("X-A", "Connection"):
            with pytest.raises(ValueError, match="contains the control character"):
                Response("200 OK", [(name, value)])

    @pytest.mark.parametrize(
        "value", ["a\tb", "\t", "\xa0", "\xff", utf8_as_latin1("\u20ac")]
    )
    def test_htab_and_printable_latin1_are_fine(self, value: str) -> None:
        Response("200 OK", [("X-A", value)])

    @pytest.mark.parametrize("value", ["\udcff", "\u20ac", "\U0001f600"])
    def test_values_must_be_latin1(self, value: str) -> None:
        with pytest.raises(ValueError, match="is not latin-1 text"):
            Response("200 OK", [("X-A", value)])

    @pytest.mark.parametrize(
        ("headers", "error", "message"),
        [
            ((("X-A", "1"),), TypeError, "WSGI headers must be a list"),
            ([(b"X-A", "1")], TypeError, "WSGI header names must be str"),
            ([("X-A", 1)], TypeError, "WSGI header 'X-A' has a value of type int"),
            ([("X-A",)], ValueError, "not enough values to unpack"),
            ([("X-A", "1", "2")], ValueError, "too many values to unpack"),
        ],
    )
    def test_headers_must_be_a_list_of_str_pairs(
        self, headers: Any, error: type[Exception], message: str
    ) -> None:
        with pytest.raises(error, match=message):
            Response("200 OK", headers)

    def test_values_are_read_as_utf8_where_they_can_be(self) -> None:
        response = Response(
            "200 OK",
            [
                ("X-Utf8", utf8_as_latin1("caf\u00e9 \U0001f600")),
                ("X-Latin1", " caf\u00e9\t"),
                # Its bytes read as latin-1 include C1 (\x82), its text none.
                ("X-Euro", utf8_as_latin1("\u20ac")),
            ],
        )
        assert response.groups == {
            "X-Utf8": ["caf\u00e9 \U0001f600"],
            "X-Latin1": ["caf\u00e9"],
            "X-Euro": ["\u20ac"],
        }

    def test_names_keep_their_rules_however_many_an_app_sends(self) -> None:
        # Names are remembered up to a bound; names first seen past it, in every
        # spelling, are still validated and sorted out.
        for index in range(300):
            Response("200 OK", [(f"X-Name-{index}", "1")])
        response = Response(
            "200 OK",
            [
                ("KEEP-alive", "5"),
                ("set-COOKIE", "a=1"),
                ("CONTENT-type", "text/plain"),
                ("CONTENT-encoding", "br"),
                ("X-Name-299", "2"),
                ("x-name-299", "3"),
            ],
        )
        assert response.groups == {
            "CONTENT-type": ["text/plain"],
            "CONTENT-encoding": ["br"],
            "X-Name-299": ["2", "3"],
        }
        assert response.cookies == ["a=1"]
        assert (response.content_type, response.content_encoding) == (
            "text/plain",
            "br",
        )
        with pytest.raises(ValueError, match="is not an RFC 9110 token"):
            Response("200 OK", [("X Name 300", "1")])
