"""Keyword-only factories for hand-made events of each source (edge cases)."""

from __future__ import annotations

import base64
from typing import Any


def _body(body: str | bytes, binary: bool) -> tuple[str, bool]:
    if binary or isinstance(body, bytes):
        raw = body if isinstance(body, bytes) else body.encode()
        return base64.b64encode(raw).decode(), True
    return body, False


def make_rest_event(
    *,
    method: str = "GET",
    path: str = "/",
    headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    body: str | bytes = "",
    binary: bool = False,
    stage: str = "prod",
    domain: str = "abc123.execute-api.us-east-1.amazonaws.com",
    authorizer: dict[str, Any] | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """A REST API proxy event (payload 1.0); `version="1.0"` makes it an HTTP API 1.0 event."""
    multi = headers if headers is not None else {"Host": [domain]}
    text, encoded = _body(body, binary)
    event: dict[str, Any] = {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": {k: v[-1] for k, v in query.items()}
        if query
        else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "stage": stage,
            "domainName": domain,
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "203.0.113.9"},
            "authorizer": authorizer,
        },
        "body": text or None,
        "isBase64Encoded": encoded,
    }
    if version is not None:
        event["version"] = version
    return event


def make_http_event(
    *,
    method: str = "GET",
    raw_path: str = "/",
    raw_query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: str | bytes = "",
    binary: bool = False,
    stage: str = "$default",
    domain: str = "abc123.execute-api.us-east-1.amazonaws.com",
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event."""
    text, encoded = _body(body, binary)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers if headers is not None else {"host": domain},
        "requestContext": {
            "domainName": domain,
            "stage": stage,
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "test",
            },
        },
        "isBase64Encoded": encoded,
    }
    if cookies is not None:
        event["cookies"] = cookies
    if text:
        event["body"] = text
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return event


def make_function_url_event(
    *,
    method: str = "GET",
    raw_path: str = "/",
    raw_query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: str | bytes = "",
    binary: bool = False,
) -> dict[str, Any]:
    """A Lambda Function URL event (payload 2.0 on a lambda-url domain)."""
    domain = "abcdefgh.lambda-url.us-east-1.on.aws"
    return make_http_event(
        method=method,
        raw_path=raw_path,
        raw_query=raw_query,
        headers=headers if headers is not None else {"host": domain},
        cookies=cookies,
        body=body,
        binary=binary,
        domain=domain,
    )


def make_alb_event(
    *,
    method: str = "GET",
    path: str = "/",
    headers: dict[str, list[str]] | None = None,
    query: dict[str, list[str]] | None = None,
    body: str | bytes = "",
    binary: bool = False,
    multi_value: bool = False,
) -> dict[str, Any]:
    """An ALB event, in multi-value mode or (default) single-value mode (last value wins)."""
    multi = (
        headers
        if headers is not None
        else {
            "host": ["alb.example.com"],
            "x-forwarded-for": ["192.0.2.1"],
            "x-forwarded-proto": ["https"],
            "x-forwarded-port": ["443"],
        }
    )
    text, encoded = _body(body, binary)
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1"
            }
        },
        "httpMethod": method,
        "path": path,
        "body": text,
        "isBase64Encoded": encoded,
    }
    if multi_value:
        event["multiValueHeaders"] = multi
        event["multiValueQueryStringParameters"] = query or {}
    else:
        event["headers"] = {name: values[-1] for name, values in multi.items()}
        event["queryStringParameters"] = {k: v[-1] for k, v in (query or {}).items()}
    return event
