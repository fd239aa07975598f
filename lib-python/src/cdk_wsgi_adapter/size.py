"""A cheap upper bound on the length of `json.dumps(result)`, for the size guard."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import Json
    from .response import Response

__all__ = ["oversize"]

# The keys and punctuation of the largest response shape (ALB: statusCode,
# statusDescription, headers, body, isBase64Encoded), rounded up.
_FRAME = 256
# Per header: quotes, colon, brackets and separators around its name and value.
_PER_HEADER = 16


def oversize(response: Response, result: Json, limit: int) -> int | None:
    """len(json.dumps(result)) when it exceeds `limit`, else None; `result` is what a
    source built from `response`.

    Serialising every response just to measure it cost 4-8 us per small response and
    ~350 us per 100 KiB image, so a cheap upper bound decides first; only a response
    whose bound exceeds the limit is serialised, to report (and check) its exact size.

    The bound: json.dumps (ensure_ascii) writes a code point as at most 6 characters
    (`\\uXXXX`), or 12 for an astral one (a surrogate pair), so as at most 6 characters
    per UTF-8 byte: a text body, decoded from `response.body`, counts 6 per body byte.
    A base64 body needs no escaping and counts exactly, and never more than 6 per body
    byte either, so the first check needs no look at `result`. Header names and values
    count 12 per character, and the status line too (ALB repeats it as
    statusDescription).
    """
    bound = (
        12 * (response.header_chars + len(response.status))
        + _PER_HEADER * len(response.headers)
        + _FRAME
    )
    if 6 * len(response.body) + bound <= limit:
        return None
    if result["isBase64Encoded"] and len(result["body"]) + bound <= limit:
        return None
    # json is already loaded by the Lambda runtime; kept off the package's cold import.
    import json

    size = len(json.dumps(result))
    return size if size > limit else None
