"""Base64 request bodies, and THE text-versus-base64 decision for response bodies."""

from __future__ import annotations

import binascii

from .config import BINARY, TEXT_ONLY
from .exceptions import MalformedEventError
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config import Options
    from .response import Response

__all__ = ["decode_base64_body", "encode_response_body"]


def decode_base64_body(body: str, encoded: object) -> bytes:
    """A request body whose isBase64Encoded is not false or null, as bytes."""
    if encoded is not True:
        raise MalformedEventError(f"isBase64Encoded must be a boolean, got {encoded!r}")
    try:
        # binascii rather than base64: the `base64` module drags in `re` and `struct`.
        return binascii.a2b_base64(body.encode("ascii"))
    except (binascii.Error, UnicodeError) as exc:
        raise MalformedEventError(
            f"isBase64Encoded is true but the body is not base64: {exc}"
        ) from None


def encode_response_body(response: Response, options: Options) -> tuple[str, bool]:
    """Return (body, isBase64Encoded) for the Lambda response.

    Text only when the media type is a text type, no Content-Encoding is set and the
    bytes are UTF-8. On a REST API with binaryMediaTypes lacking */*, API Gateway
    base64-decodes only responses whose type is in that list, so any other type goes
    out as text if at all possible.
    """
    body = response.body
    if not body:
        return "", False
    content_type = response.content_type
    kind = options.body_kinds.get(content_type)
    if kind is None:
        kind = options.body_kind(content_type)
    decodable = kind != TEXT_ONLY
    if decodable and (kind == BINARY or response.content_encoding):
        return binascii.b2a_base64(body, newline=False).decode("ascii"), True
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        if not decodable:
            logger().warning(
                "response of type %r is not UTF-8 text and not in the REST API's "
                "binaryMediaTypes, so clients will receive it base64-encoded",
                content_type,
            )
    return binascii.b2a_base64(body, newline=False).decode("ascii"), True
