"""Payload format 2.0: API Gateway HTTP APIs and Lambda Function URLs."""

from __future__ import annotations

from ..body import encode_response_body
from ..environ import add_headers, finish_environ, new_environ, set_path, wsgi_text
from ..fields import lenient, mapping, required, text, text_list
from ..quoting import unquote_to_wsgi
from .base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response


class PayloadV2:
    """One front door sending payload 2.0 events."""

    RESPONSE_LIMIT = LAMBDA_RESPONSE_LIMIT

    def __init__(self, name: str, *, encoded_path: bool) -> None:
        self.NAME = name
        #: Whether rawPath is still percent-encoded (Function URL), or already
        #: decoded despite its name (HTTP API).
        self.encoded_path = encoded_path

    def to_environ(
        self, event: Json, context: Any, options: Options
    ) -> WSGIEnvironment:
        """The environ of a payload 2.0 request."""
        request_context = event["requestContext"]  # a dict: sources.detect checked it
        http = mapping(request_context, "http")
        query = text(event, "rawQueryString")  # exactly as the client sent it
        method = required(http, "method", "requestContext.http.method")
        environ = new_environ(
            self.NAME, event, context, method, query, http.get("protocol")
        )
        # Most requests carry no cookies: the look-up alone skips text_list's call.
        cookies = text_list(event, "cookies") if "cookies" in event else None
        # HTTP API moves cookies out of the headers; Function URLs keep a copy.
        cookie = "; ".join(cookies) if cookies else None
        add_headers(environ, event, "headers", cookie=cookie)
        domain = text(request_context, "domainName") or environ.get("HTTP_HOST", "")
        raw_path = text(event, "rawPath") or "/"
        path = unquote_to_wsgi(raw_path) if self.encoded_path else wsgi_text(raw_path)
        stage = request_context.get("stage")
        set_path(environ, path, domain, stage, options, stage_in_path=True)
        remote_addr = http.get("sourceIp")  # optional: a wrong type is left out
        if isinstance(remote_addr, str) and remote_addr:
            environ["REMOTE_ADDR"] = (
                remote_addr if remote_addr.isascii() else wsgi_text(remote_addr)
            )
        if request_context.get("authorizer"):
            remote_user = _remote_user(mapping(request_context, "authorizer"))
            if remote_user:
                environ["REMOTE_USER"] = wsgi_text(remote_user)
        raw_uri = raw_path + "?" + query if query else raw_path
        return finish_environ(environ, event, domain, raw_uri)

    def to_response(self, event: Json, response: Response, options: Options) -> Json:
        """Set-Cookie goes in `cookies`; other repeated headers are comma-joined."""
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


def _remote_user(authorizer: Json) -> str:
    # JWT subject, else a Lambda authorizer's principalId (by convention in its returned
    # context, or at the top level for IAM-policy responses), else the IAM caller.
    return (
        lenient(authorizer, "jwt", "claims", "sub")
        or lenient(authorizer, "lambda", "principalId")
        or lenient(authorizer, "principalId")
        or lenient(authorizer, "iam", "userArn")
    )


http_api = PayloadV2("http_v2", encoded_path=False)
function_url = PayloadV2("function_url", encoded_path=True)
