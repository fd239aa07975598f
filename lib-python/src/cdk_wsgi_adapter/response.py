"""The buffered WSGI response and the header rules every source shares."""

from __future__ import annotations

__all__ = ["HOP_BY_HOP_HEADERS", "Response", "plain_response"]

#: RFC 9110 section 7.6.1 connection-specific headers: meaningless (or rejected) once
#: the response leaves Lambda, since API Gateway/ALB frame the HTTP message themselves.
HOP_BY_HOP_HEADERS = frozenset(
    ("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade")
)

_REASONS = {400: "Bad Request", 500: "Internal Server Error", 502: "Bad Gateway"}


class Response:
    """Status line, headers and body collected from the app."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def status_code(self) -> int:
        """The numeric status (PEP 3333 guarantees three digits first)."""
        return int(self.status[:3])

    def header(self, name: str) -> str:
        """The first value of header `name` (case-insensitive), or ''."""
        lowered = name.lower()
        for key, value in self.headers:  # a loop: next(genexpr) costs twice as much
            if key.lower() == lowered:
                return value
        return ""

    def grouped_headers(self) -> tuple[dict[str, list[str]], list[str]]:
        """End-to-end headers grouped case-insensitively, and the Set-Cookie values.

        Hop-by-hop headers are dropped and values turned from WSGI latin-1 into text.
        One pass over the headers: this runs on every response.
        """
        groups: dict[str, list[str]] = {}
        spelling: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in self.headers:
            lowered = name.lower()
            if lowered in HOP_BY_HOP_HEADERS or lowered.startswith("proxy-"):
                continue
            # Values lose surrounding whitespace (RFC 9110 section 5.5): Django, for
            # one, puts a space before each Set-Cookie value, which the cookies[] array
            # would keep.
            value = value.strip(" \t")
            if not value.isascii():  # _wire_text skipped for the common ASCII value
                value = _wire_text(value)
            if lowered == "set-cookie":
                cookies.append(value)
            elif lowered in spelling:
                groups[spelling[lowered]].append(value)
            else:
                spelling[lowered] = name
                groups[name] = [value]
        return groups, cookies

    def unsafe_header(self) -> str | None:
        """Name of the first header holding CR or LF (response splitting), if any."""
        for name, value in self.headers:
            if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
                return name
        return None


def plain_response(status_code: int, message: str) -> Response:
    """A short text/plain response written by the adapter itself (never by the app)."""
    return Response(
        f"{status_code} {_REASONS[status_code]}",
        [("Content-Type", "text/plain; charset=utf-8")],
        message.encode("utf-8"),
    )


def _wire_text(value: str) -> str:
    # WSGI header values are bytes disguised as latin-1 text; an app that sent UTF-8
    # bytes gets them back as text in the JSON response (undecodable bytes stay as their
    # latin-1 reading). The caller skips ASCII values, the common case, itself.
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value
