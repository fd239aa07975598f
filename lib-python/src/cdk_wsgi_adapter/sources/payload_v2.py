"""Payload format 2.0, shared by HTTP APIs and Lambda Function URLs."""

from __future__ import annotations

from ..body import decode_request_body, encode_response_body
from ..environ import build_environ, mount, resolve_mount
from ..exceptions import MalformedEventError
from ..fields import dig, get_map, get_str, get_str_list, str_pairs, wsgi_text
from ..quoting import unquote_to_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["is_v2", "to_environ", "to_response"]


def is_v2(event: Json) -> bool:
    """Version "2.0" is not enough: VPC Lattice v2 has it but no rawPath or http."""
    request_context = event.get("requestContext")
    return (
        event.get("version") == "2.0"
        and "rawPath" in event
        and isinstance(request_context, dict)
        and "http" in request_context
    )


def _remote_user(authorizer: Json) -> str:
    # JWT subject, else a Lambda authorizer's principalId (by convention in its returned
    # context, or at the top level for IAM-policy responses), else the IAM caller.
    if not authorizer:  # no authorizer, the common case: skip the four lookups
        return ""
    return (
        dig(authorizer, "jwt", "claims", "sub")
        or dig(authorizer, "lambda", "principalId")
        or dig(authorizer, "principalId")
        or dig(authorizer, "iam", "userArn")
    )


def to_environ(
    event: Json, context: Any, options: Options, *, source: str, encoded_path: bool
) -> WSGIEnvironment:
    """Build the environ; `encoded_path`: whether rawPath is still percent-encoded."""
    request_context = get_map(event, "requestContext")
    http = get_map(request_context, "http")
    method = get_str(http, "method")
    if not method:
        raise MalformedEventError("requestContext.http.method is empty")
    raw_path = get_str(event, "rawPath") or "/"
    path = (
        unquote_to_bytes(raw_path).decode("latin-1")
        if encoded_path
        else wsgi_text(raw_path)
    )
    header_map = get_map(event, "headers")
    headers = str_pairs(header_map)
    cookies = get_str_list(event, "cookies")
    if cookies:
        # HTTP API moves cookies out of the headers; Function URLs keep a copy in
        # `cookie` too.
        headers = [pair for pair in headers if pair[0].lower() != "cookie"]
        headers.append(("cookie", "; ".join(cookies)))
    domain = get_str(request_context, "domainName") or get_str(header_map, "host")
    prefix, in_path = resolve_mount(
        domain, get_str(request_context, "stage"), options, stage_in_path=True
    )
    script_name, path_info = mount(path, prefix, in_path=in_path)
    raw_query = get_str(event, "rawQueryString")
    return build_environ(
        source=source,
        event=event,
        context=context,
        method=method,
        script_name=script_name,
        path_info=path_info,
        query_string=wsgi_text(raw_query),  # exactly as the client sent it
        headers=headers,
        body=decode_request_body(event),
        domain=domain,
        scheme="https",  # HTTP APIs and Function URLs are HTTPS-only
        port="443",
        protocol=dig(http, "protocol"),
        remote_addr=dig(http, "sourceIp"),
        remote_user=_remote_user(get_map(request_context, "authorizer")),
        raw_uri=raw_path + ("?" + raw_query if raw_query else ""),
    )


def to_response(response: Response, options: Options) -> Json:
    """Every Set-Cookie goes in `cookies`; other repeated headers are comma-joined."""
    headers, cookies = response.grouped_headers()
    body, is_base64 = encode_response_body(response, options)
    return {
        "statusCode": response.status_code,
        "headers": {name: ", ".join(values) for name, values in headers.items()},
        "cookies": cookies,
        "body": body,
        "isBase64Encoded": is_base64,
    }
