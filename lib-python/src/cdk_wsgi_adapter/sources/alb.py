"""Application Load Balancer target group events, single- or multi-value header mode."""

from __future__ import annotations

from ..body import decode_request_body, encode_response_body
from ..environ import build_environ, event_header_pairs, mount, resolve_mount
from ..exceptions import MalformedEventError
from ..fields import get_map, get_str, str_list_pairs, str_pairs, wsgi_text
from ..quoting import unquote_to_bytes
from .base import ALB_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["NAME", "RESPONSE_LIMIT", "matches", "to_environ", "to_response"]

NAME = "alb"
RESPONSE_LIMIT = ALB_RESPONSE_LIMIT
_SET_COOKIE = "set-cookie"


def matches(event: Json) -> bool:
    """ALB events carry requestContext.elb (and no version)."""
    request_context = event.get("requestContext")
    return isinstance(request_context, dict) and "elb" in request_context


def _multi_value(event: Json) -> bool:
    # The target group attribute lambda.multi_value_headers.enabled: with it, ALB sends
    # only the multi-value maps and requires multiValueHeaders in the response, without
    # it only `headers`.
    return event.get("multiValueHeaders") is not None


def _query_string(event: Json) -> str:
    # ALB does not decode query parameters, so the raw pieces are joined back as they
    # came.
    multi = get_map(event, "multiValueQueryStringParameters")
    if multi:
        pairs = str_list_pairs(multi)
    else:
        pairs = str_pairs(get_map(event, "queryStringParameters"))
    return "&".join(f"{key}={value}" for key, value in pairs)


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """Build the environ; scheme, port and client address come from ALB's headers."""
    method = get_str(event, "httpMethod")
    if not method:
        raise MalformedEventError("httpMethod is empty")
    raw_path = get_str(event, "path") or "/"
    headers = event_header_pairs(event)
    # ALB overwrites X-Forwarded-Proto/Port and appends the peer it saw to
    # X-Forwarded-For, so the last hop is the only trustworthy one; earlier hops are
    # whatever the client claimed.
    seen = {name.lower(): value for name, value in headers}
    proto = seen.get("x-forwarded-proto", "").strip().lower()
    scheme = proto if proto in ("http", "https") else "https"
    port = seen.get("x-forwarded-port", "").strip()
    if not (port.isascii() and port.isdigit()):
        port = "443" if scheme == "https" else "80"
    host = seen.get("host", "")
    prefix, in_path = resolve_mount(host, "", options, stage_in_path=True)
    script_name, path_info = mount(
        unquote_to_bytes(raw_path).decode("latin-1"), prefix, in_path=in_path
    )
    query = wsgi_text(_query_string(event))
    return build_environ(
        source=NAME,
        event=event,
        context=context,
        method=method,
        script_name=script_name,
        path_info=path_info,
        query_string=query,
        headers=headers,
        body=decode_request_body(event),
        domain=host,
        scheme=scheme,
        port=port,
        protocol="HTTP/1.1",
        remote_addr=seen.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip(),
        remote_user="",
        raw_uri=raw_path + ("?" + query if query else ""),
    )


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
    headers, cookies = response.grouped_headers()
    body, is_base64 = encode_response_body(response, options)
    result: Json = {
        "statusCode": response.status_code,
        "statusDescription": response.status,
    }
    if _multi_value(event):
        if cookies:
            headers["Set-Cookie"] = cookies
        result["multiValueHeaders"] = headers
    else:
        single = {name: ", ".join(values) for name, values in headers.items()}
        single.update(zip(_cookie_spellings(len(cookies)), cookies, strict=False))
        result["headers"] = single
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
