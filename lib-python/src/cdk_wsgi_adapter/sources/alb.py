"""Application Load Balancer target group events, single- or multi-value header mode."""

from __future__ import annotations

from itertools import islice, product

from ..body import encode_response_body
from ..environ import add_headers, finish_environ, new_environ, set_path
from ..fields import required, text
from ..log import logger
from ..quoting import alb_query, unquote_to_wsgi
from ..response import plain_response
from .base import ALB_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

NAME = "alb"
RESPONSE_LIMIT = ALB_RESPONSE_LIMIT


def to_environ(event: Json, context: Any, options: Options) -> WSGIEnvironment:
    """The environ; scheme, port and client address come from ALB's headers."""
    query = alb_query(event)
    method = required(event, "httpMethod", "httpMethod")
    environ = new_environ(NAME, event, context, method, query, "")
    add_headers(environ, event, "headers", "multiValueHeaders")
    # ALB sets X-Forwarded-Proto and X-Forwarded-Port, and appends the peer it saw to
    # X-Forwarded-For (its default processing mode, "append"):
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
    # The last hop is the only one to trust, earlier ones are whatever the client
    # claimed. ALB sends header names in lowercase (the event in
    # https://docs.aws.amazon.com/lambda/latest/dg/services-alb.html), and add_headers
    # joins that spelling last whatever the event's order: the last hop is ALB's even
    # when an event also has `X-Forwarded-For`. (The environ starts as https on 443.)
    if environ.get("HTTP_X_FORWARDED_PROTO", "").strip().lower() == "http":
        environ["wsgi.url_scheme"] = "http"
        environ["SERVER_PORT"] = "80"
    port = environ.get("HTTP_X_FORWARDED_PORT", "").strip()
    if port.isascii() and port.isdigit():
        environ["SERVER_PORT"] = port
    remote_addr = environ.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip()
    if remote_addr:
        environ["REMOTE_ADDR"] = remote_addr
    host = environ.get("HTTP_HOST", "")
    raw_path = text(event, "path") or "/"
    # The path arrives percent-encoded; ALB has no stage, only base paths.
    set_path(environ, unquote_to_wsgi(raw_path), host, "", options, stage_in_path=False)
    raw_uri = raw_path + "?" + query if query else raw_path
    return finish_environ(environ, event, host, raw_uri)


#: Single-value mode allows one value per header name, but header names are
#: case-insensitive on the wire: each spelling of "set-cookie" ("Set-cookie",
#: "sEt-cookie"...) carries one cookie, so 2 ** 9 of them at most.
_MAX_COOKIES = 2**9


def _cookie_spellings(count: int) -> list[str]:
    # "set-cookie", "set-cookiE", "set-cookIe", "set-cookIE"...
    cases = product(*(dict.fromkeys((char, char.upper())) for char in "set-cookie"))
    return ["".join(spelling) for spelling in islice(cases, count)]


def to_response(event: Json, response: Response, options: Options) -> Json:
    """Integer statusCode, statusDescription, and headers in the request's mode."""
    headers, cookies = response.groups, response.cookies
    body, is_base64 = encode_response_body(response, options)
    result: Json = {
        "statusCode": response.status_code,
        "statusDescription": response.status,
    }
    # With the target group's lambda.multi_value_headers.enabled, ALB sends and expects
    # multiValueHeaders, without it only `headers`.
    if event.get("multiValueHeaders") is not None:
        result["multiValueHeaders"] = (
            {**headers, "Set-Cookie": cookies} if cookies else headers
        )
    elif len(cookies) > _MAX_COOKIES:
        logger().error(
            "the app set %d cookies, and an ALB target without multi-value headers "
            "carries at most %d; answering 500 instead",
            len(cookies),
            _MAX_COOKIES,
        )
        return to_response(event, plain_response(500, "Internal Server Error"), options)
    else:
        single = {name: ", ".join(values) for name, values in headers.items()}
        single.update(zip(_cookie_spellings(len(cookies)), cookies))  # noqa: B905
        result["headers"] = single
    result["body"] = body
    result["isBase64Encoded"] = is_base64
    return result
