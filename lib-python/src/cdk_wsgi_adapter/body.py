"""Request bodies from events, and the text-or-base64 decision for response bodies."""

from __future__ import annotations

import binascii  # rather than base64, which drags in `re` and `struct`

from .exceptions import MalformedEventError
from .fields import text
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import Json
    from .config import Options
    from .response import Response


#: RFC 4648 section 4's alphabet, without the pad character.
_BASE64_DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def request_body(event: Json) -> bytes:
    """The request body of any source: `body`, base64 when isBase64Encoded is true."""
    body = text(event, "body")
    encoded = event.get("isBase64Encoded")
    if encoded is None or encoded is False:
        return body.encode("utf-8")
    if encoded is not True:
        raise MalformedEventError(f"isBase64Encoded must be a boolean, got {encoded!r}")
    return _strict_base64(body)


def _strict_base64(body: str) -> bytes:
    # The front doors send RFC 4648 base64: its alphabet, padded to a multiple of 4.
    # a2b_base64 alone skips other characters ("!!!!" is b""), and its strict_mode is
    # 3.11+; translate() deletes the digits at C speed, leaving what is not one.
    data = body.encode("ascii", "replace")  # anything else becomes "?", not a digit
    digits = data.rstrip(b"=")
    if (
        len(data) % 4
        or len(data) - len(digits) > 2
        or digits.translate(None, _BASE64_DIGITS)
    ):
        raise MalformedEventError(
            "isBase64Encoded is true but the body is not base64 (RFC 4648: its "
            "alphabet, padded with '=' to a multiple of 4 characters)"
        )
    return binascii.a2b_base64(data)


def encode_response_body(response: Response, options: Options) -> tuple[str, bool]:
    """(body, isBase64Encoded) for the Lambda response.

    Text when the media type is a text type, no Content-Encoding is set and the bytes
    are UTF-8; base64 otherwise, which the front door decodes back to bytes. A REST
    API with binaryMediaTypes decodes base64 only for the types in that list (API
    Gateway "Content type conversions"), so any other type goes out as text if at all
    possible.
    """
    body = response.body
    if not body:
        return "", False
    content_type = response.content_type
    binary_types = options.binary_media_types
    decoded_upstream = binary_types is None or content_type in binary_types
    if decoded_upstream and (
        response.content_encoding or content_type not in options.text_media_types
    ):
        return _base64(body), True
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        if not decoded_upstream:
            logger().warning(
                "response of type %r is not UTF-8 text and not in the REST API's "
                "binaryMediaTypes, so clients will receive it base64-encoded",
                content_type,
            )
    return _base64(body), True


def _base64(body: bytes) -> str:
    return binascii.b2a_base64(body, newline=False).decode("ascii")
