"""API Gateway REST API proxy events, and HTTP API payload format 1.0 (same shape)."""

from __future__ import annotations

from ..body import encode_response_body
from ..environ import add_headers, finish_environ, new_environ, set_path, wsgi_text
from ..fields import lenient, mapping, required, text
from ..quoting import rest_query, unquote_to_wsgi
from .base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

NAME = "rest_v1"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """The environ of a REST (or HTTP API 1.0) request."""
    request_context = mapping(event, "requestContext")
    query = rest_query(event)
    method = required(event, "httpMethod", "httpMethod")
    protocol = request_context.get("protocol")
    environ = new_environ(NAME, event, context, method, query, protocol)
    add_headers(environ, event, "headers", "multiValueHeaders")
    # Console tests and HTTP API 1.0 samples may lack domainName: the Host header, then.
    domain = text(request_context, "domainName") or environ.get("HTTP_HOST", "")
    raw_path = text(event, "path") or "/"
    http_api = event.get("version") == "1.0"
    # REST keeps `path` percent-encoded; HTTP API 1.0 delivers it decoded.
    path = wsgi_text(raw_path) if http_api else unquote_to_wsgi(raw_path)
    stage = request_context.get("stage")
    set_path(environ, path, domain, stage, options, stage_in_path=http_api)
    remote_addr = lenient(request_context, "identity", "sourceIp")
    if remote_addr:
        environ["REMOTE_ADDR"] = (
            remote_addr if remote_addr.isascii() else wsgi_text(remote_addr)
        )
    remote_user = _remote_user(request_context)
    if remote_user:
        environ["REMOTE_USER"] = wsgi_text(remote_user)
    raw_uri = raw_path + "?" + query if query else raw_path
    return finish_environ(environ, event, domain, raw_uri)


def _remote_user(request_context: Json) -> str:
    # Lambda authorizer principal, else Cognito user pool claims (sub: stable and
    # unique, unlike the username), else the IAM caller.
    authorizer = mapping(request_context, "authorizer")
    if authorizer:
        user = (
            lenient(authorizer, "principalId")
            or lenient(authorizer, "claims", "sub")
            or lenient(authorizer, "claims", "cognito:username")
        )
        if user:
            return user
    return lenient(request_context, "identity", "userArn")


def to_response(event: Json, response: Response, options: Options) -> Json:
    """statusCode, multiValueHeaders, body, isBase64Encoded: extra keys cause a 502."""
    headers = response.groups
    if response.cookies:
        headers = {**headers, "Set-Cookie": response.cookies}
    body, is_base64 = encode_response_body(response, options)
    return {
        "statusCode": response.status_code,
        "multiValueHeaders": headers,
        "body": body,
        "isBase64Encoded": is_base64,
    }
