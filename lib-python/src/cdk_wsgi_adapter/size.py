"""A cheap upper bound on the length of `json.dumps(result)`, for the size guard."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import Json
    from .response import Response

# The keys and punctuation of the largest response shape (ALB: statusCode,
# statusDescription, headers, body, isBase64Encoded), rounded up.
_FRAME = 256
# Per header: quotes, colon, brackets and separators around its name and value.
_PER_HEADER = 16


def oversize(response: Response, result: Json, limit: int) -> int | None:
    """len(json.dumps(result)) when it exceeds `limit`, else None; `result` is what a
    source built from `response`.

    Serialising every response to measure it costs ~350 us per 100 KiB image, so an
    upper bound decides first. json.dumps (ensure_ascii) writes at most 6 characters
    per UTF-8 byte (`\\uXXXX`; an astral code point is 4 bytes and 12 characters): 6
    per body byte covers the body as text or base64, and base64 is then counted exactly.
    The status line (ALB repeats it) and headers count 12 per character.
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
