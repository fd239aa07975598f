"""What every contestant is given: one plain WSGI app, one event per scenario, checks.

The app is a bare WSGI callable (no framework) so that framework cost cannot hide
adapter cost. The events follow the shapes AWS documents and sends (REST payload 1.0,
HTTP API payload 2.0, ALB multi-value mode, Function URLs); (e) to (h) are the requests
apps get most, each modelled on a real AWS sample in lib-python/tests/events (named in
its docstring), with the headers a browser's `fetch()` sends plus those the front door
adds. The checks make sure an adapter really answered correctly before it is timed: a
fast wrong answer must not look like a win.
"""

from __future__ import annotations

import base64
import io
import json
import random
import struct
import sys
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

API_HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
ALB_HOST = "internal-app-1234567890.eu-west-1.elb.amazonaws.com"
CLIENT_IP = "203.0.113.7"
URL_HOST = "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.eu-west-1.on.aws"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
TRACE_ID = "Root=1-65f1c2a3-0a1b2c3d4e5f60718293a4b5"
#: A session cookie and a CSRF token, as a Django or Flask app sets them.
COOKIES = ["sessionid=8c7f0e2a9b5d4e1f", "csrftoken=Zq3xV9pL2mN8rT4w"]
REQUEST_ID = "5b7e1a52-3f7c-4d0e-9c55-0d6c1b2a9e4f"
# A repeated key, a space and a plain key: the query shapes adapters get wrong.
QUERY = {"tag": ["red", "blue"], "q": ["big widgets"], "page": ["2"]}


def make_png(width: int = 160, height: int = 213, seed: int = 20240229) -> bytes:
    """A valid RGB PNG of ~100 KiB, identical on every run (seeded noise compresses
    about as badly as a photo does, so the file stays at its raw size)."""
    rng = random.Random(seed)
    # Filter byte 0 (None) before each row, as the PNG spec requires.
    raw = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def make_json_kib() -> bytes:
    """A JSON document of exactly 1024 bytes (an order with line items)."""
    doc: dict[str, Any] = {
        "order": "ORD-2024-000123",
        "customer": {"id": 4711, "email": "jane.doe@example.com"},
        "items": [
            {"sku": f"SKU-{i:05d}", "name": f"Widget model {i}", "qty": i % 5 + 1}
            for i in range(12)
        ],
        "note": "",
    }
    size = len(json.dumps(doc).encode())
    doc["note"] = "x" * (1024 - size)  # pad to the byte
    encoded = json.dumps(doc).encode()
    assert len(encoded) == 1024, len(encoded)
    return encoded


PNG = make_png()
JSON_KIB = make_json_kib()
SMALL_JSON = b'{"id":42,"name":"Widget model 42","price":"19.90","tags":["red","blue"]}'


def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """The one app behind every contestant and the floor."""
    path = environ["PATH_INFO"]
    if path == "/upload":
        # Echo the request body: proves it went in and came back unchanged.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        content_type = "application/json"
    elif path == "/logo.png":
        body, content_type = PNG, "image/png"
    else:
        body, content_type = SMALL_JSON, "application/json"
    start_response(
        "200 OK",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _single(multi: dict[str, list[str]]) -> dict[str, str]:
    # REST also sends each map with only the last value of every key.
    return {key: values[-1] for key, values in multi.items()}


def rest_get_event() -> dict[str, Any]:
    """(a) REST API, stage prod, execute-api host, 10 headers, a repeated query key."""
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate, br",
        "Accept-Language": "en-GB,en;q=0.9",
        "Host": API_HOST,
        "User-Agent": USER_AGENT,
        "X-Amzn-Trace-Id": TRACE_ID,
        "X-Forwarded-For": f"{CLIENT_IP}, 130.176.1.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        "X-Request-Id": REQUEST_ID,
    }
    return {
        "resource": "/{proxy+}",
        "path": "/items/42",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": _single(QUERY),
        "multiValueQueryStringParameters": QUERY,
        "pathParameters": {"proxy": "items/42"},
        "stageVariables": None,
        "requestContext": {
            "resourceId": "abc123",
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "extendedRequestId": "JXdbSFnKjoEFzUQ=",
            "requestTime": "21/Nov/2026:01:23:45 +0000",
            "path": "/prod/items/42",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "a1b2c3d4e5",
            "requestTimeEpoch": 1795224225000,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": CLIENT_IP, "userAgent": USER_AGENT},
            "domainName": API_HOST,
            "apiId": "a1b2c3d4e5",
        },
        "body": None,
        "isBase64Encoded": False,
    }


def _http_api_event(
    method: str, path: str, headers: dict[str, str], body: str
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": API_HOST,
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": CLIENT_IP,
                "userAgent": USER_AGENT,
            },
            "requestId": "JXdbSFnKjoEFzUQ=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "21/Nov/2026:01:23:45 +0000",
            "timeEpoch": 1795224225000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def _http_api_headers(**extra: str) -> dict[str, str]:
    # HTTP API lower-cases header names.
    return {
        "accept-encoding": "gzip, deflate, br",
        "host": API_HOST,
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": TRACE_ID,
        "x-forwarded-for": CLIENT_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        "x-request-id": REQUEST_ID,
        **extra,
    }


def http_post_event() -> dict[str, Any]:
    """(b) HTTP API payload 2.0, POST of a 1 KiB JSON body."""
    headers = _http_api_headers(
        **{
            "accept": "application/json",
            "content-type": "application/json",
            "content-length": str(len(JSON_KIB)),
        }
    )
    return _http_api_event("POST", "/upload", headers, JSON_KIB.decode())


def png_event() -> dict[str, Any]:
    """(c) HTTP API payload 2.0 GET answered with the 100 KiB PNG (binary always
    allowed there, so no adapter needs media-type configuration)."""
    headers = _http_api_headers(accept="image/avif,image/webp,image/png,*/*")
    return _http_api_event("GET", "/logo.png", headers, "")


def alb_get_event() -> dict[str, Any]:
    """(d) ALB target group with multi-value headers on: raw (still encoded) query."""
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012"
                ":targetgroup/app-tg/73e2d6bc24d8a067"
            }
        },
        "httpMethod": "GET",
        "path": "/items",
        "multiValueQueryStringParameters": {
            "tag": ["red", "blue"],
            "q": ["big%20widgets"],
            "page": ["2"],
        },
        "multiValueHeaders": {
            "accept": ["application/json"],
            "accept-encoding": ["gzip, deflate, br"],
            "accept-language": ["en-GB,en;q=0.9"],
            "host": [ALB_HOST],
            "user-agent": [USER_AGENT],
            "x-amzn-trace-id": [TRACE_ID],
            "x-forwarded-for": [CLIENT_IP],
            "x-forwarded-port": ["443"],
            "x-forwarded-proto": ["https"],
            "x-request-id": [REQUEST_ID],
        },
        "body": "",
        "isBase64Encoded": False,
    }


def rest_get_plain_event() -> dict[str, Any]:
    """(e) REST API `GET` without a query string, as a browser's `fetch()` sends it over
    HTTP/2 (lowercase names) with the names API Gateway adds itself: REST sends null
    query maps and a null body, as in aws-lambda-dotnet's
    rawtarget-escaped-percent-slash-in-path.json."""
    headers = {
        "accept": "application/json",
        "accept-encoding": "gzip, deflate, br, zstd",
        "accept-language": "en-GB,en;q=0.9",
        "Host": API_HOST,
        "referer": f"https://{API_HOST}/prod/",
        "sec-fetch-mode": "cors",
        "User-Agent": CHROME,
        "X-Amzn-Trace-Id": TRACE_ID,
        "X-Forwarded-For": CLIENT_IP,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    event = rest_get_event()
    event.update(
        headers=headers,
        multiValueHeaders={name: [value] for name, value in headers.items()},
        queryStringParameters=None,
        multiValueQueryStringParameters=None,
    )
    event["requestContext"]["identity"]["userAgent"] = CHROME
    return event


def _fetch_headers(host: str, origin: str, **extra: str) -> dict[str, str]:
    # What a browser's fetch() sends, lowercase as payload 2.0 and ALB deliver names,
    # with the front door's x-amzn-trace-id and x-forwarded-*.
    return {
        "accept": "application/json",
        "accept-encoding": "gzip, deflate, br, zstd",
        "accept-language": "en-GB,en;q=0.9",
        "host": host,
        "referer": f"{origin}/",
        "sec-fetch-mode": "cors",
        "user-agent": CHROME,
        "x-amzn-trace-id": TRACE_ID,
        "x-forwarded-for": CLIENT_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **extra,
    }


def http_get_event() -> dict[str, Any]:
    """(f) HTTP API payload 2.0 `GET` without a body: no `body` key and
    `content-length: 0`, as in aws-lambda-go's apigw-v2-request-no-authorizer.json."""
    headers = _fetch_headers(API_HOST, f"https://{API_HOST}", **{"content-length": "0"})
    event = _http_api_event("GET", "/items/42", headers, "")
    del event["body"]
    event["requestContext"]["http"]["userAgent"] = CHROME
    return event


def alb_get_plain_event() -> dict[str, Any]:
    """(g) ALB `GET` without a query, multi-value headers on: an empty query map and an
    empty body, as in powertools' albMultiValueHeadersEvent.json."""
    headers = _fetch_headers(ALB_HOST, f"https://{ALB_HOST}")
    event = alb_get_event()
    event.update(
        path="/items/42",
        multiValueQueryStringParameters={},
        multiValueHeaders={name: [value] for name, value in headers.items()},
    )
    return event


def url_get_cookies_event() -> dict[str, Any]:
    """(h) Function URL `GET` with cookies: in `cookies` and, on Function URLs, still in
    the `cookie` header too, with Lambda's TLS headers; no `body` key, as in
    aws-lambda-go's function-url-request-with-headers-and-cookies-and-text-body.json and
    function-url-domain-only-get-request.json. Auth type NONE (a browser cannot sign
    with SigV4), so no `authorizer`."""
    headers = _fetch_headers(
        URL_HOST,
        f"https://{URL_HOST}",
        **{
            "cookie": "; ".join(COOKIES),
            "x-amzn-tls-cipher-suite": "TLS_AES_128_GCM_SHA256",
            "x-amzn-tls-version": "TLSv1.3",
        },
    )
    event = _http_api_event("GET", "/items/42", headers, "")
    del event["body"]
    event["cookies"] = list(COOKIES)
    context = event["requestContext"]
    context.update(
        domainName=URL_HOST,
        domainPrefix=URL_HOST.partition(".")[0],
        apiId=URL_HOST.partition(".")[0],
        requestId="deeb7e49-a9a8-4a8f-bcd1-5482231e2087",
    )
    context["http"]["userAgent"] = CHROME
    return event


@dataclass(frozen=True)
class Scenario:
    """One row of the table: an event and what a correct adapter must produce."""

    key: str
    title: str
    make_event: Callable[[], dict[str, Any]]
    path: str
    query: dict[str, list[str]]
    request_body: bytes
    response_body: bytes
    content_type: str
    # Soft expectations: differences are reported as notes, not failures.
    script_name: str
    host: str
    multi_value_response: bool = False
    #: A request header the app must see, as its environ key and value.
    header: tuple[str, str] = ("HTTP_X_REQUEST_ID", REQUEST_ID)

    def floor_environ(self) -> Environ:
        """What a server would hand the app: the floor calls the app with this."""
        environ: Environ = {
            "REQUEST_METHOD": "POST" if self.request_body else "GET",
            "SCRIPT_NAME": self.script_name,
            "PATH_INFO": self.path,
            "QUERY_STRING": "&".join(
                f"{k}={v.replace(' ', '+')}" for k, vs in self.query.items() for v in vs
            ),
            "SERVER_NAME": self.host,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": CLIENT_IP,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(self.request_body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if self.request_body:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(self.request_body))
        return environ


SCENARIOS = (
    Scenario(
        key="a",
        title="(a) REST GET, query + 10 headers",
        make_event=rest_get_event,
        path="/items/42",
        query=QUERY,
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="/prod",
        host=API_HOST,
    ),
    Scenario(
        key="b",
        title="(b) HTTP API POST, 1 KiB JSON",
        make_event=http_post_event,
        path="/upload",
        query={},
        request_body=JSON_KIB,
        response_body=JSON_KIB,
        content_type="application/json",
        script_name="",
        host=API_HOST,
    ),
    Scenario(
        key="c",
        title="(c) 100 KiB PNG response",
        make_event=png_event,
        path="/logo.png",
        query={},
        request_body=b"",
        response_body=PNG,
        content_type="image/png",
        script_name="",
        host=API_HOST,
    ),
    Scenario(
        key="d",
        title="(d) ALB multi-value GET",
        make_event=alb_get_event,
        path="/items",
        query=QUERY,
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="",
        host=ALB_HOST,
        multi_value_response=True,
    ),
    Scenario(
        key="e",
        title="(e) REST GET, no query",
        make_event=rest_get_plain_event,
        path="/items/42",
        query={},
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="/prod",
        host=API_HOST,
        header=("HTTP_USER_AGENT", CHROME),
    ),
    Scenario(
        key="f",
        title="(f) HTTP API GET, no body",
        make_event=http_get_event,
        path="/items/42",
        query={},
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="",
        host=API_HOST,
        header=("HTTP_USER_AGENT", CHROME),
    ),
    Scenario(
        key="g",
        title="(g) ALB GET, no query",
        make_event=alb_get_plain_event,
        path="/items/42",
        query={},
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="",
        host=ALB_HOST,
        multi_value_response=True,
        header=("HTTP_USER_AGENT", CHROME),
    ),
    Scenario(
        key="h",
        title="(h) Function URL GET, cookies",
        make_event=url_get_cookies_event,
        path="/items/42",
        query={},
        request_body=b"",
        response_body=SMALL_JSON,
        content_type="application/json",
        script_name="",
        host=URL_HOST,
        header=("HTTP_COOKIE", "; ".join(COOKIES)),
    ),
)


class LambdaContext:
    """The attributes of the Lambda runtime's context object (none of the adapters
    needs more than to carry it along)."""

    function_name = "bench-fn"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench-fn"
    memory_limit_in_mb = 1024
    aws_request_id = "8f5ea1c4-7f3b-4a7e-9f7e-2f1d9e0c3b21"
    log_group_name = "/aws/lambda/bench-fn"
    log_stream_name = "2026/11/21/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _response_header(result: dict[str, Any], name: str) -> str | None:
    lowered = name.lower()
    for key, value in (result.get("headers") or {}).items():
        if key.lower() == lowered:
            return str(value)
    for key, values in (result.get("multiValueHeaders") or {}).items():
        if key.lower() == lowered:
            return str(values[0])
    return None


def check(
    scenario: Scenario, adapt: Callable[[WSGIApp], Handler]
) -> tuple[list[str], list[str]]:
    """Run the adapter once on the scenario's event, around an environ-capturing app.

    Returns (errors, notes): errors make the answer wrong (the contestant is not timed
    on this scenario); notes are behaviour differences worth knowing.
    """
    seen: list[Environ] = []

    def capturing_app(
        environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        seen.append(environ)
        return app(environ, start_response)

    errors: list[str] = []
    notes: list[str] = []
    try:
        result = adapt(capturing_app)(scenario.make_event(), LambdaContext())
    except Exception as exc:  # noqa: BLE001 (a crash is a wrong answer, reported, not fatal)
        return [f"raised {exc!r}"], notes
    if not seen:
        return ["the app was never called"], notes
    environ = seen[0]

    # The request, as the app saw it.
    method = "POST" if scenario.request_body else "GET"
    if environ.get("REQUEST_METHOD") != method:
        errors.append(f"REQUEST_METHOD {environ.get('REQUEST_METHOD')!r}")
    if environ.get("PATH_INFO") != scenario.path:
        errors.append(f"PATH_INFO {environ.get('PATH_INFO')!r}")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if query != scenario.query:
        errors.append(f"QUERY_STRING {environ.get('QUERY_STRING')!r}")
    key, value = scenario.header
    if environ.get(key) != value:
        errors.append(f"{key} {environ.get(key)!r}")
    if scenario.request_body and environ.get("CONTENT_TYPE") != "application/json":
        errors.append(f"CONTENT_TYPE {environ.get('CONTENT_TYPE')!r}")

    # The response, as the front door will decode it.
    if result.get("statusCode") != 200:
        errors.append(f"statusCode {result.get('statusCode')!r}")
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    if raw != scenario.response_body:
        errors.append(f"body differs ({len(raw)} bytes)")
    if _response_header(result, "Content-Type") != scenario.content_type:
        errors.append(f"Content-Type {_response_header(result, 'Content-Type')!r}")
    if scenario.multi_value_response and "multiValueHeaders" not in result:
        errors.append("no multiValueHeaders (ALB multi-value mode requires them)")

    # Softer expectations, reported only.
    expected = {
        "SCRIPT_NAME": scenario.script_name,
        "SERVER_NAME": scenario.host,
        "SERVER_PORT": "443",
        "REMOTE_ADDR": CLIENT_IP,
        "wsgi.url_scheme": "https",
    }
    for key, want in expected.items():
        if environ.get(key) != want:
            notes.append(f"{key}={environ.get(key)!r} (expected {want!r})")
    if scenario.multi_value_response and "statusDescription" not in result:
        notes.append("no statusDescription in the ALB response")
    return errors, notes
