"""A cheap upper bound on the length of `json.dumps(result)`, for the size guard."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import Json
    from .response import Response

__all__ = ["json_size_bound"]

# The keys and punctuation of the largest response shape (ALB: statusCode,
# statusDescription, headers, body, isBase64Encoded), rounded up.
_FRAME = 256
# Per header: quotes, colon, brackets and separators around its name and value.
_PER_HEADER = 16


def json_size_bound(response: Response, result: Json) -> int:
    """At least len(json.dumps(result)) for the `result` built from `response`.

    json.dumps (ensure_ascii) writes a code point as at most 6 characters (`\\uXXXX`),
    or 12 for an astral one (a surrogate pair), so as at most 6 characters per UTF-8
    byte: a text body, decoded from `response.body`, is bounded by 6 per body byte. A
    base64 body needs no escaping and counts exactly. Header names and values count 12
    per character, and the status line too (ALB repeats it as statusDescription).
    """
    body = result["body"]
    size = len(body) if result["isBase64Encoded"] else 6 * len(response.body)
    size += 12 * (response.header_chars + len(response.status))
    return size + _PER_HEADER * len(response.headers) + _FRAME
