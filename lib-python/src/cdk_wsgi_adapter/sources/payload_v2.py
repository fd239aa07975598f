"""Payload format 2.0, shared by HTTP APIs and Lambda Function URLs."""

from __future__ import annotations

from ..body import encode_response_body
from ..environ import add_headers, finish_environ, mount, new_environ
from ..fields import dig, get_map, get_str, get_str_list, required_str, wsgi_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

__all__ = ["environ_for", "to_response"]


def _remote_user(authorizer: Json) -> str:
    # JWT subject, else a Lambda authorizer's principalId (by convention in its returned
    # context, or at the top level for IAM-policy responses), else the IAM caller.
    return (
        dig(authorizer, "jwt", "claims", "sub")
        or dig(authorizer, "lambda", "principalId")
        or dig(authorizer, "principalId")
        or dig(authorizer, "iam", "userArn")
    )


def environ_for(
    source: str, encoded_path: bool, event: Json, context: Any, options: Options
) -> WSGIEnvironment:
    """Build the environ; `encoded_path`: whether rawPath is still percent-encoded.

    Each field is read directly when it has the type AWS sends; the validating getters
    handle anything else (null is empty, a wrong type is malformed).
    """
    request_context = event["requestContext"]  # a dict: sources.detect checked it
    http = request_context.get("http")
    if http.__class__ is not dict:
        http = get_map(request_context, "http")
    method = http.get("method")
    if method.__class__ is not str or not method:
        method = required_str(http, "method", "requestContext.http.method")
    raw_path = event.get("rawPath")
    if raw_path.__class__ is not str:
        raw_path = get_str(event, "rawPath")
    raw_path = raw_path or "/"
    raw_query = event.get("rawQueryString")
    if raw_query.__class__ is not str:
        raw_query = get_str(event, "rawQueryString")  # exactly as the client sent it
    protocol = http.get("protocol")
    environ = new_environ(
        source,
        event,
        context,
        method,
        raw_query,
        protocol if protocol.__class__ is str else "",
    )
    header_map = event.get("headers")
    if header_map.__class__ is not dict:
        header_map = get_map(event, "headers")
    cookies = event.get("cookies")
    if cookies:
        cookies = get_str_list(event, "cookies")
        # HTTP API moves cookies out of the headers; Function URLs keep a copy in
        # `cookie` too.
        names = tuple(name for name in header_map if name.lower() != "cookie")
        add_headers(environ, names, [header_map[name] for name in names], True)
        environ["HTTP_COOKIE"] = wsgi_text("; ".join(cookies))
    else:
        if cookies is not None and cookies.__class__ is not list:
            get_str_list(event, "cookies")  # raises: a falsy value of a wrong type
        add_headers(environ, tuple(header_map), list(header_map.values()), True)
    domain = request_context.get("domainName")
    if domain.__class__ is not str:
        domain = get_str(request_context, "domainName")
    if not domain:
        domain = get_str(header_map, "host")
    stage = request_context.get("stage")
    mount(
        environ,
        raw_path,
        encoded_path,
        domain,
        stage if stage.__class__ is str else "",
        True,  # rawPath starts with a named stage
        options,
    )
    remote_addr = http.get("sourceIp")
    if remote_addr.__class__ is str and remote_addr:
        environ["REMOTE_ADDR"] = wsgi_text(remote_addr)
    authorizer = request_context.get("authorizer")
    if authorizer:
        remote_user = _remote_user(get_map(request_context, "authorizer"))
        if remote_user:
            environ["REMOTE_USER"] = wsgi_text(remote_user)
    raw_uri = raw_path + "?" + raw_query if raw_query else raw_path
    return finish_environ(environ, event, domain, raw_uri)


def to_response(event: Json, response: Response, options: Options) -> Json:
    """Every Set-Cookie goes in `cookies`; other repeated headers are comma-joined."""
    body, is_base64 = encode_response_body(response, options)
    return {
        "statusCode": response.status_code,
        "headers": {
            name: ", ".join(values) for name, values in response.groups.items()
        },
        "cookies": response.cookies,
        "body": body,
        "isBase64Encoded": is_base64,
    }
