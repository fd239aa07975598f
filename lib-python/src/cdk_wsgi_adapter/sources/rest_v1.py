"""API Gateway REST API proxy events, and HTTP API payload format 1.0 (same shape)."""

from __future__ import annotations

from ..body import encode_response_body
from ..environ import (
    add_event_headers,
    finish_environ,
    mount,
    new_environ,
)
from ..fields import (
    dig,
    get_map,
    get_str,
    query_pairs,
    query_pieces,
    required_str,
    wsgi_text,
)
from ..quoting import form_encode, plain_form_query
from .base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["NAME", "RESPONSE_LIMIT", "to_environ", "to_response"]

NAME = "rest_v1"
RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT


def _remote_user(context: Json, identity: Json) -> str:
    # Lambda authorizer principal, else Cognito user pool claims (sub: stable and
    # unique, unlike the username), else the IAM caller.
    user_arn = identity.get("userArn")
    if user_arn.__class__ is not str:
        user_arn = ""
    authorizer = context.get("authorizer")
    if authorizer is None:  # no authorizer, the common case: skip its three lookups
        return user_arn
    authorizer = get_map(context, "authorizer")  # a wrong type raises
    return (
        dig(authorizer, "principalId")
        or dig(authorizer, "claims", "sub")
        or dig(authorizer, "claims", "cognito:username")
        or user_arn
    )


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """Build the environ for a REST (or HTTP API 1.0) request.

    Each field is read directly when it has the type AWS sends; the validating getters
    handle anything else (null is empty, a wrong type is malformed).
    """
    request_context = event.get("requestContext")
    if request_context.__class__ is not dict:
        request_context = get_map(event, "requestContext")
    method = event.get("httpMethod")
    if method.__class__ is not str or not method:
        method = required_str(event, "httpMethod", "httpMethod")
    protocol = request_context.get("protocol")
    pieces = query_pieces(event)
    query = plain_form_query(pieces) if pieces else ""
    if query is None:  # something to escape
        query = form_encode(query_pairs(event))
    environ = new_environ(
        NAME,
        event,
        context,
        method,
        query,
        protocol if protocol.__class__ is str else "",
    )
    add_event_headers(environ, event)
    domain = request_context.get("domainName")
    if domain.__class__ is not str:
        domain = get_str(request_context, "domainName")
    if not domain:  # console tests and HTTP API 1.0 samples: the Host header, then
        domain = environ.get("HTTP_HOST", "")
    stage = request_context.get("stage")
    http_api = event.get("version") == "1.0"
    raw_path = event.get("path")
    if raw_path.__class__ is not str:
        raw_path = get_str(event, "path")
    raw_path = raw_path or "/"
    mount(
        environ,
        raw_path,
        # REST keeps `path` percent-encoded; HTTP API delivers it decoded, so never
        # unquote twice.
        not http_api,
        domain,
        stage if stage.__class__ is str else "",
        http_api,
        options,
    )
    # Identity fields only enrich the environ: a malformed one must not fail a request.
    identity = request_context.get("identity")
    if identity.__class__ is not dict:
        identity = {}
    remote_addr = identity.get("sourceIp")
    if remote_addr.__class__ is str and remote_addr:
        environ["REMOTE_ADDR"] = wsgi_text(remote_addr)
    remote_user = _remote_user(request_context, identity)
    if remote_user:
        environ["REMOTE_USER"] = wsgi_text(remote_user)
    raw_uri = raw_path + "?" + query if query else raw_path
    return finish_environ(environ, event, domain, raw_uri)


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
