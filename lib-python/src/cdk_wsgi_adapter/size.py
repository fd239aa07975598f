"""A cheap upper bound on the length of `json.dumps(value)`, for the size guard."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .compat import Json

__all__ = ["json_size_bound"]


def _bound(value: Any) -> int:
    # json.dumps (ensure_ascii) writes one code point as at most 6 characters (`\uXXXX`)
    # or 12 (a surrogate pair for an astral one); repr() writes it as at least 1, and
    # at least 4 when the repr is ASCII but the text is not (`\x85`, `\u2028`...).
    # Quotes, brackets, separators, ints, True/False/None: no longer in JSON than in
    # repr. So 6x an ASCII repr, or 12x any repr, bounds the JSON, at C speed.
    text = value if type(value) is str else repr(value)
    return len(text) * (6 if text.isascii() else 12) + 2


def json_size_bound(result: Json) -> int:
    """At least len(json.dumps(result)) for a Lambda response dict.

    Exact for a base64 `body` (the base64 alphabet needs no JSON escaping), generous
    elsewhere: the caller serialises for real only when this bound exceeds the limit.
    """
    size = 2
    base64 = result.get("isBase64Encoded") is True
    for key, value in result.items():
        # The top-level keys are the adapter's own ASCII names: `"key": ` plus `, `.
        size += len(key) + 6
        if value is True or value is False:
            size += 5  # skips a repr() on every response
        elif base64 and key == "body":
            size += len(value) + 2
        else:
            size += _bound(value)
    return size
