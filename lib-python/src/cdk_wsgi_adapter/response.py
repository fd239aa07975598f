"""The buffered WSGI response and the header rules every source shares."""

from __future__ import annotations

__all__ = ["HOP_BY_HOP_HEADERS", "Response", "plain_response"]

#: RFC 9110 section 7.6.1 connection-specific headers: meaningless (or rejected) once
#: the response leaves Lambda, since API Gateway/ALB frame the HTTP message themselves.
HOP_BY_HOP_HEADERS = frozenset(
    ("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade")
)

_REASONS = {400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway"}
#: Status line -> status code, for the few status lines an app sends. Bounded, since
#: an app may put anything in the reason phrase.
_STATUS_CODES: dict[str, int] = {}
_MAX_STATUS_CODES = 256

# What the response rules do with a header, by its name; the roles past _SET_COOKIE
# drop the header.
_END_TO_END, _CONTENT_TYPE, _CONTENT_ENCODING, _SET_COOKIE, _HOP_BY_HOP, _UNSAFE = (
    range(6)
)
_SPECIAL_ROLES = {
    "set-cookie": _SET_COOKIE,
    "content-type": _CONTENT_TYPE,
    "content-encoding": _CONTENT_ENCODING,
}
#: Header name -> (its lowercase form, its role, its length). An app sends the same
#: few names on every response; bounded all the same, since names may come from user
#: input.
_ROLES: dict[str, tuple[str, int, int]] = {}
_MAX_ROLES = 256


class Response:
    """Status line, headers and body collected from the app.

    The constructor validates what start_response() received and sorts the headers out
    in one pass (this runs on every response):

    - `groups`: end-to-end headers grouped case-insensitively under their first
      spelling, hop-by-hop headers dropped, values turned from WSGI latin-1 into
      text;
    - `cookies`: the Set-Cookie values, kept apart because every source carries them
      its own way;
    - `content_type`, `content_encoding`: the first values of these headers, or '';
    - `unsafe`: the name of the first header holding CR or LF (response splitting);
    - `header_chars`: the length of all names and values, for the size guard.
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
        "unsafe",
    )

    def __init__(
        self, status: str, headers: list[tuple[str, str]], body: bytes = b""
    ) -> None:
        self.status = status
        self.status_code = _STATUS_CODES.get(status) or _status_code(status)
        if not isinstance(headers, list):
            raise TypeError(_headers_error(headers))
        self.headers = headers
        self.body = body
        self.content_type = self.content_encoding = ""
        groups: dict[str, list[str]] = {}
        spelling: dict[str, str] = {}
        cookies: list[str] = []
        unsafe = None
        chars = 0
        roles = _ROLES
        try:
            for name, value in headers:
                info = roles.get(name)
                if info is None:
                    info = _role(name)
                lowered, role, name_chars = info
                # Printable ASCII, the common case, holds no CR or LF and needs no
                # decoding.
                if not (value.isascii() and value.isprintable()):
                    if "\r" in value or "\n" in value:
                        unsafe = unsafe or name
                    value = _wire_text(value)
                if role > _SET_COOKIE:  # dropped: hop-by-hop, or CR/LF in the name
                    if role == _UNSAFE:
                        unsafe = unsafe or name
                    continue
                # Values lose surrounding whitespace (RFC 9110 section 5.5): Django,
                # for one, puts a space before each Set-Cookie value, which the
                # cookies[] array would keep.
                value = value.strip(" \t")
                chars += name_chars + len(value)
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
        except (AttributeError, TypeError, ValueError):  # not (str, str) pairs
            raise TypeError(_headers_error(headers)) from None
        self.groups = groups
        self.cookies = cookies
        self.unsafe = unsafe
        self.header_chars = chars


def plain_response(status_code: int, message: str) -> Response:
    """A short text/plain response written by the adapter itself (never by the app)."""
    return Response(
        f"{status_code} {_REASONS[status_code]}",
        [("Content-Type", "text/plain; charset=utf-8")],
        message.encode("utf-8"),
    )


def _status_code(status: object) -> int:
    # PEP 3333: three digits, then nothing or a space and the reason phrase.
    if not (
        isinstance(status, str)
        and status[:3].isascii()
        and status[:3].isdigit()
        and status[3:4] in ("", " ")
    ):
        raise ValueError(f"invalid WSGI status {status!r}")
    code = int(status[:3])
    if len(_STATUS_CODES) < _MAX_STATUS_CODES:
        _STATUS_CODES[status] = code
    return code


def _headers_error(headers: object) -> str:
    return f"WSGI headers must be a list of (str, str) tuples, got {headers!r}"


def _role(name: str) -> tuple[str, int, int]:
    if not isinstance(name, str):
        raise TypeError(name)
    lowered = name.lower()
    if "\r" in name or "\n" in name:
        return lowered, _UNSAFE, 0  # not remembered: never a name an app sends twice
    if lowered in HOP_BY_HOP_HEADERS or lowered.startswith("proxy-"):
        role = _HOP_BY_HOP
    else:
        role = _SPECIAL_ROLES.get(lowered, _END_TO_END)
    info = lowered, role, len(name)
    if len(_ROLES) < _MAX_ROLES:
        _ROLES[name] = info
    return info


def _wire_text(value: str) -> str:
    # WSGI header values are bytes disguised as latin-1 text; an app that sent UTF-8
    # bytes gets them back as text in the JSON response (undecodable bytes stay as their
    # latin-1 reading).
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value
