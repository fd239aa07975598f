"""Percent-decoding of paths, and QUERY_STRING from the query maps of REST and ALB.

Written without `urllib.parse`, which costs ~6 ms of cold import.
"""

from __future__ import annotations

from .fields import pairs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import Json

_HEX = "0123456789ABCDEFabcdef"
_HEX_PAIRS = {(a + b).encode("ascii"): bytes.fromhex(a + b) for a in _HEX for b in _HEX}
# RFC 3986 unreserved characters: the only bytes form encoding leaves as they are.
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_FORM_BYTE = [chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256)]
_FORM_BYTE[0x20] = "+"
# The bytes form encoding keeps as they are: unreserved characters, and space ("+").
_FORM_KEPT = _UNRESERVED + b" "
_SINGLE, _MULTI = "queryStringParameters", "multiValueQueryStringParameters"
#: A request without a query string: REST sends null maps, ALB an empty one.
_NO_QUERY: tuple[None, dict[str, object]] = (None, {})


def unquote_to_wsgi(text: str) -> str:
    """Percent-decode to WSGI text (the raw bytes read as latin-1); invalid escapes
    such as `%zz` stay as they are."""
    if "%" not in text and text.isascii():
        return text  # most paths: nothing escaped, nothing to convert
    first, *rest = text.encode("utf-8").split(b"%")
    out = [first]
    for part in rest:
        decoded = _HEX_PAIRS.get(part[:2])
        out.append(b"%" + part if decoded is None else decoded + part[2:])
    return b"".join(out).decode("latin-1")


def form_encode(names: tuple[str, ...], values: list[str]) -> str:
    """application/x-www-form-urlencoded serialisation of decoded names and values."""
    plain = _joined(names, values)
    # Most queries need nothing escaped, which one pass over the joined query tells:
    # once the bytes form encoding keeps are deleted, only the separators put in may
    # remain (so a name or value holding "=" or "&" shows too).
    if (
        plain.isascii()
        and plain.encode().translate(None, _FORM_KEPT)
        == b"=&" * (len(names) - 1) + b"="
    ):
        return plain.replace(" ", "+")
    return "&".join(
        [f"{_form_quote(n)}={_form_quote(v)}" for n, v in zip(names, values)]  # noqa: B905
    )


def _form_quote(value: str) -> str:
    return "".join([_FORM_BYTE[b] for b in value.encode("utf-8")])


def _joined(names: tuple[str, ...], values: list[str]) -> str:
    return "&".join([f"{n}={v}" for n, v in zip(names, values)])  # noqa: B905


def rest_query(event: Json) -> str:
    """A REST (or HTTP API 1.0) event's query: its maps hold decoded values (`+`
    already a space), so they are encoded again. The order across keys is lost
    upstream."""
    if event.get(_MULTI) in _NO_QUERY and event.get(_SINGLE) in _NO_QUERY:
        return ""
    return form_encode(*pairs(event, _SINGLE, _MULTI))


def alb_query(event: Json) -> str:
    """An ALB event's query: ALB passes the pieces on as the client sent them."""
    if event.get(_MULTI) in _NO_QUERY and event.get(_SINGLE) in _NO_QUERY:
        return ""
    return _joined(*pairs(event, _SINGLE, _MULTI))
