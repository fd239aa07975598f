"""The buffered WSGI response: what start_response() accepts, and the header rules."""

from __future__ import annotations

#: RFC 9110 section 7.6.1 connection-specific headers: meaningless (or rejected) once
#: the response leaves Lambda, since the front door frames the HTTP message itself.
HOP_BY_HOP_HEADERS = frozenset(
    ("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade")
)

_REASONS = {400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway"}
#: RFC 9110 section 5.6.2: the characters of a token, which a header name is.
_TOKEN = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

# What the response rules do with a header, by its name.
_END_TO_END, _SET_COOKIE, _CONTENT_TYPE, _CONTENT_ENCODING, _HOP_BY_HOP = range(5)
_SPECIAL_ROLES = {
    "set-cookie": _SET_COOKIE,
    "content-type": _CONTENT_TYPE,
    "content-encoding": _CONTENT_ENCODING,
}
#: Valid header name -> (its lowercase form, its role). An app sends the same few
#: names on every response, and validating and sorting out three of them afresh costs
#: ~10,000 instructions, 5-10 % of a request (bench/instructions). Bounded, since
#: names may come from user input.
_ROLES: dict[str, tuple[str, int]] = {}
#: Valid status line -> status code, for the same reason (about 5 % of a request).
_STATUS_CODES: dict[str, int] = {}
_MAX_REMEMBERED = 256  # in each of the two


class Response:
    """Status line, headers and body collected from the app.

    Constructing one is start_response()'s validation (PEP 3333, RFC 9110): TypeError
    or ValueError unless the status is three digits in 100-599 and a printable latin-1
    reason, each header name a token and each value latin-1 without a control
    character but HTAB (read as UTF-8 where it decodes). One
    pass sorts the headers into `groups` (end-to-end headers under their first
    spelling, values as text), `cookies` (Set-Cookie, which each source carries its own
    way), the first `content_type` and `content_encoding` (or ''), and `header_chars`
    (all names and values, for the size guard).
    """

    __slots__ = (
        "body",
        "content_encoding",
        "content_type",
        "cookies",
        "groups",
        "header_chars",
        "headers",
        "status",
        "status_code",
    )

    def __init__(
        self, status: str, headers: list[tuple[str, str]], body: bytes = b""
    ) -> None:
        code = _STATUS_CODES.get(status) if isinstance(status, str) else None
        if code is None:
            code = _status_code(status)
        if not isinstance(headers, list):
            raise TypeError(f"WSGI headers must be a list, got {headers!r}")
        self.status = status
        self.status_code = code
        self.headers = headers
        self.body = body
        self.content_type = self.content_encoding = ""
        groups: dict[str, list[str]] = {}
        spelling: dict[str, str] = {}
        cookies: list[str] = []
        chars = 0
        for name, value in headers:
            lowered, role = _ROLES.get(name) or _role(name)
            if not isinstance(value, str):
                raise TypeError(
                    f"WSGI header {name!r} has a value of type {type(value).__name__}"
                )
            # Printable ASCII, the usual value, has nothing to check or decode.
            if not (value.isascii() and value.isprintable()):
                value = _wire_text(name, value)
            if role == _HOP_BY_HOP:
                continue
            # Values lose surrounding whitespace (RFC 9110 section 5.5): Django, for
            # one, puts a space before each Set-Cookie value, which the cookies[]
            # array would keep.
            value = value.strip(" \t")
            chars += len(name) + len(value)
            if role == _SET_COOKIE:
                cookies.append(value)
            elif lowered in spelling:
                groups[spelling[lowered]].append(value)
            else:
                spelling[lowered] = name
                groups[name] = [value]
                if role == _CONTENT_TYPE:
                    self.content_type = value
                elif role == _CONTENT_ENCODING:
                    self.content_encoding = value
        self.groups = groups
        self.cookies = cookies
        self.header_chars = chars


def plain_response(status_code: int, message: str) -> Response:
    """A short text/plain response written by the adapter itself (never by the app)."""
    return Response(
        f"{status_code} {_REASONS[status_code]}",
        [("Content-Type", "text/plain; charset=utf-8")],
        message.encode("utf-8"),
    )


def _status_code(status: object) -> int:
    if not isinstance(status, str):
        raise TypeError(f"WSGI status must be a str, got {status!r}")
    code = status[:3]
    # Printable rules out control characters (CR and LF among them); latin-1 is what
    # PEP 3333 allows, and then encoding drops nothing.
    if not (
        code.isascii()
        and code.isdigit()
        and "100" <= code <= "599"
        and status[3:4] in ("", " ")
        and status.isprintable()
        and len(status.encode("latin-1", "ignore")) == len(status)
    ):
        raise ValueError(f"invalid WSGI status {status!r}")
    status_code = int(code)
    if len(_STATUS_CODES) < _MAX_REMEMBERED:
        _STATUS_CODES[status] = status_code
    return status_code


def _role(name: object) -> tuple[str, int]:
    if not isinstance(name, str):
        raise TypeError(f"WSGI header names must be str, got {name!r}")
    if not name or not _TOKEN.issuperset(name):
        raise ValueError(f"header name {name!r} is not an RFC 9110 token")
    lowered = name.lower()
    if lowered in HOP_BY_HOP_HEADERS or lowered.startswith("proxy-"):
        info = lowered, _HOP_BY_HOP
    else:
        info = lowered, _SPECIAL_ROLES.get(lowered, _END_TO_END)
    if len(_ROLES) < _MAX_REMEMBERED:
        _ROLES[name] = info
    return info


def _wire_text(name: str, value: str) -> str:
    # WSGI header values are bytes disguised as latin-1 text; an app that sent UTF-8
    # bytes gets them back as text in the JSON response (undecodable bytes stay as their
    # latin-1 reading).
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"header {name!r} is not latin-1 text (PEP 3333)") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = value
    # No control character but HTAB (RFC 9110 section 5.5): C0 (CR and LF would split
    # the response, NUL truncate it), DEL and C1. Checked on the text sent: read as
    # latin-1, the bytes of a UTF-8 sequence may look like C1 (0x80-0x9f) without
    # being any. Fail closed, rather than drop the header, which could be a security
    # header. Control characters are never printable: most values skip the search.
    if not text.isprintable():
        control = next(
            (c for c in text if (c < " " and c != "\t") or "\x7f" <= c < "\xa0"), None
        )
        if control is not None:
            raise ValueError(
                f"header {name!r} contains the control character {control!r}"
            )
    return text
