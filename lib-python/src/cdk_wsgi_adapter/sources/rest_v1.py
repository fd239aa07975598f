"""API Gateway REST API proxy events, and HTTP API payload format 1.0 (same shape)."""

from __future__ import annotations

from ..body import decode_request_body, encode_response_body
from ..environ import build_environ, event_header_pairs, mount, resolve_mount
from ..exceptions import MalformedEventError
from ..fields import dig, get_map, get_str, str_list_pairs, str_pairs, wsgi_text
from ..quoting import form_encode, unquote_to_bytes
from .base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["NAME", "RESPONSE_LIMIT", "matches", "to_environ", "to_response"]

NAME = "rest_v1"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


def matches(event: Json) -> bool:
    """REST events have no `version`, HTTP API 1.0 says "1.0"; both carry httpMethod."""
    return event.get("version", "1.0") == "1.0" and "httpMethod" in event


def _query_pairs(event: Json) -> list[tuple[str, str]]:
    # API Gateway hands over decoded values (`+` already a space) and no raw query
    # string, so the query is rebuilt with form encoding; the order across different
    # keys is lost upstream.
    multi = get_map(event, "multiValueQueryStringParameters")
    if multi:
        return str_list_pairs(multi)
    return str_pairs(get_map(event, "queryStringParameters"))


def _host_header(headers: list[tuple[str, str]]) -> str:
    # Only needed when requestContext has no domainName (console tests, HTTP API 1.0
    # samples), so not scanned on every request.
    return next((value for name, value in headers if name.lower() == "host"), "")


def _remote_user(context: Json) -> str:
    # Lambda authorizer principal, else Cognito user pool claims (sub: stable and
    # unique, unlike the username), else the IAM caller.
    authorizer = get_map(context, "authorizer")
    if not authorizer:  # no authorizer, the common case: skip its three lookups
        return dig(context, "identity", "userArn")
    return (
        dig(authorizer, "principalId")
        or dig(authorizer, "claims", "sub")
        or dig(authorizer, "claims", "cognito:username")
        or dig(context, "identity", "userArn")
    )


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """Build the environ for a REST (or HTTP API 1.0) request."""
    request_context = get_map(event, "requestContext")
    http_api = event.get("version") == "1.0"
    method = get_str(event, "httpMethod")
    if not method:
        raise MalformedEventError("httpMethod is empty")
    raw_path = get_str(event, "path") or "/"
    # REST keeps `path` percent-encoded; HTTP API delivers it decoded, so never unquote
    # twice.
    path = (
        wsgi_text(raw_path)
        if http_api
        else unquote_to_bytes(raw_path).decode("latin-1")
    )
    headers = event_header_pairs(event)
    domain = get_str(request_context, "domainName") or _host_header(headers)
    prefix, in_path = resolve_mount(
        domain, get_str(request_context, "stage"), options, stage_in_path=http_api
    )
    script_name, path_info = mount(path, prefix, in_path=in_path)
    query = form_encode(_query_pairs(event))
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
        domain=domain,
        scheme="https",  # API Gateway endpoints are HTTPS-only
        port="443",
        protocol=dig(request_context, "protocol"),
        remote_addr=dig(request_context, "identity", "sourceIp"),
        remote_user=_remote_user(request_context),
        raw_uri=raw_path + ("?" + query if query else ""),
    )


def to_response(event: Json, response: Response, options: Options) -> Json:
    """statusCode, multiValueHeaders, body, isBase64Encoded: extra keys cause a 502."""
    headers, cookies = response.grouped_headers()
    if cookies:
        headers["Set-Cookie"] = cookies
    body, is_base64 = encode_response_body(response, options)
    return {
        "statusCode": response.status_code,
        "multiValueHeaders": headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
