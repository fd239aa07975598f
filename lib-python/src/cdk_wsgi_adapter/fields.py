"""Type-checked event fields: null or missing means empty, a wrong type is malformed."""

from __future__ import annotations

from .exceptions import MalformedEventError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .compat import Json

__all__ = [
    "dig",
    "get_map",
    "get_str",
    "get_str_list",
    "query_pairs",
    "query_pieces",
    "required_str",
    "str_list_pairs",
    "str_pairs",
    "wsgi_text",
]


def get_map(event: Json, key: str) -> Json:
    """`event[key]` as a JSON object; {} when missing or null (console tests)."""
    value = event.get(key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise MalformedEventError(f"{key} must be an object, got {type(value).__name__}")


def get_str(event: Json, key: str) -> str:
    """`event[key]` as a string; '' when missing or null."""
    value = event.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise MalformedEventError(f"{key} must be a string, got {type(value).__name__}")


def required_str(event: Json, key: str, name: str) -> str:
    """`event[key]` as a non-empty string; `name` says where the field is in errors."""
    value = get_str(event, key)
    if not value:
        raise MalformedEventError(f"{name} is empty")
    return value


def get_str_list(event: Json, key: str) -> list[str]:
    """`event[key]` as a list of strings; [] when missing or null."""
    value: Any = event.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        try:
            # Checks every item at C speed: join raises TypeError on a non-string.
            "".join(value)
        except TypeError:
            pass
        else:
            return value
    raise MalformedEventError(f"{key} must be a list of strings")


def str_list_pairs(multi: Json) -> list[tuple[str, str]]:
    """(key, value) for every value of a multi-value map (key -> list of strings).

    Every list is validated (a null one is empty): the inline reading of AWS's shape
    is _plain_pieces(), and this serves the rarer paths (a query to escape, nulls,
    wrong types).
    """
    return [(key, value) for key in multi for value in get_str_list(multi, key)]


def str_pairs(single: Json) -> list[tuple[str, str]]:
    """(key, value) for every entry of a single-value map (key -> string or null)."""
    pairs = list(single.items())
    for _, value in pairs:
        if not isinstance(value, str):
            # Rare: null values (read as ''), or a wrong type, which get_str rejects.
            return [(key, get_str(single, key)) for key in single]
    return pairs


def query_pairs(event: Json) -> list[tuple[str, str]]:
    """The (key, value) query pairs of a v1/ALB event, from the multi-value map if any.

    Both front doors send the query only as maps: REST with decoded values (`+`
    already a space), ALB with the raw pieces. The order across different keys is
    lost upstream.
    """
    multi = event.get("multiValueQueryStringParameters")
    if multi.__class__ is not dict:
        multi = get_map(event, "multiValueQueryStringParameters")  # null is {}
    if multi:
        return str_list_pairs(multi)
    return str_pairs(get_map(event, "queryStringParameters"))


def query_pieces(event: Json) -> list[str]:
    """`key=value` for every pair of query_pairs(event), unescaped."""
    multi = event.get("multiValueQueryStringParameters")
    if multi.__class__ is dict and multi:
        pieces = _plain_pieces(multi)
        if pieces is not None:
            return pieces
    # No multi-value map, nulls or wrong types: query_pairs sorts them out.
    return [f"{key}={value}" for key, value in query_pairs(event)]


def _plain_pieces(multi: Json) -> list[str] | None:
    # The shape AWS sends, key -> list of strings, read inline; None for anything else.
    pieces = []
    for key, values in multi.items():
        if values.__class__ is not list:
            return None
        for value in values:
            if value.__class__ is not str:
                return None
            pieces.append(f"{key}={value}")
    return pieces


def wsgi_text(value: str) -> str:
    """PEP 3333 "bytes as latin-1 text": the UTF-8 bytes of `value`, read as latin-1."""
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


def dig(event: Json, *keys: str) -> str:
    """A nested optional string such as requestContext.identity.sourceIp, else ''.

    Lenient on purpose: identity fields only enrich the environ and must not fail a
    request.
    """
    value: Any = event
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""
