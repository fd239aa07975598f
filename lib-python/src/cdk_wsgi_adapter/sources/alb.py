"""Application Load Balancer target group events, single- or multi-value header mode."""

from __future__ import annotations

from ..body import encode_response_body
from ..environ import (
    add_event_headers,
    finish_environ,
    mount,
    new_environ,
)
from ..fields import get_str, query_pieces, required_str
from .base import ALB_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["NAME", "RESPONSE_LIMIT", "to_environ", "to_response"]

NAME = "alb"
RESPONSE_LIMIT = ALB_RESPONSE_LIMIT
_SET_COOKIE = "set-cookie"


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """Build the environ; scheme, port and client address come from ALB's headers."""
    method = event.get("httpMethod")
    if method.__class__ is not str or not method:
        method = required_str(event, "httpMethod", "httpMethod")
    # ALB does not decode query parameters: the raw pieces are joined back as they came.
    query = "&".join(query_pieces(event))
    environ = new_environ(NAME, event, context, method, query, "")
    add_event_headers(environ, event)
    # ALB overwrites X-Forwarded-Proto/Port and appends the peer it saw to
    # X-Forwarded-For, so the last hop is the only trustworthy one; earlier hops are
    # whatever the client claimed.
    # (The environ's defaults already say https and 443.)
    proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if proto is not None and proto != "https" and proto.strip().lower() == "http":
        environ["wsgi.url_scheme"] = "http"
        environ["SERVER_PORT"] = "80"
    port = environ.get("HTTP_X_FORWARDED_PORT")
    if port is not None and port != environ["SERVER_PORT"]:
        port = port.strip()
        if port.isascii() and port.isdigit():
            environ["SERVER_PORT"] = port
    remote_addr = environ.get("HTTP_X_FORWARDED_FOR", "")
    if "," in remote_addr:
        remote_addr = remote_addr.rpartition(",")[2]
    remote_addr = remote_addr.strip()
    if remote_addr:
        environ["REMOTE_ADDR"] = remote_addr
    host = environ.get("HTTP_HOST", "")
    raw_path = event.get("path")
    if raw_path.__class__ is not str:
        raw_path = get_str(event, "path")
    raw_path = raw_path or "/"
    # The path arrives still percent-encoded; ALB has no stage, only base paths.
    mount(environ, raw_path, True, host, "", True, options)
    raw_uri = raw_path + "?" + query if query else raw_path
    return finish_environ(environ, event, host, raw_uri)


def _cookie_spellings(count: int) -> list[str]:
    # Single-value mode allows one value per header name, but ALB header names are
    # case-insensitive on the wire: "set-cookie", "Set-cookie", "sEt-cookie"... each
    # carry one. The 9 letters give 512 spellings, more Set-Cookie headers than any
    # browser keeps.
    letters = [i for i, char in enumerate(_SET_COOKIE) if char.isalpha()]
    spellings = []
    for n in range(min(count, 2 ** len(letters))):
        chars = list(_SET_COOKIE)
        for bit, index in enumerate(letters):
            if n >> bit & 1:
                chars[index] = chars[index].upper()
        spellings.append("".join(chars))
    return spellings


def to_response(event: Json, response: Response, options: Options) -> Json:
    """Integer statusCode, statusDescription, and headers in the request's mode."""
    headers, cookies = response.groups, response.cookies
    body, is_base64 = encode_response_body(response, options)
    result: Json = {
        "statusCode": response.status_code,
        "statusDescription": response.status,
    }
    # The target group attribute lambda.multi_value_headers.enabled: with it, ALB sends
    # only the multi-value maps and requires multiValueHeaders in the response, without
    # it only `headers`.
    if event.get("multiValueHeaders") is not None:
        result["multiValueHeaders"] = (
            {**headers, "Set-Cookie": cookies} if cookies else headers
        )
    else:
        single = {name: ", ".join(values) for name, values in headers.items()}
        single.update(zip(_cookie_spellings(len(cookies)), cookies, strict=False))
        result["headers"] = single
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
