"""A local stand-in for AWS Lambda's Invoke API on 127.0.0.1, which verifies each
request's Signature Version 4 with botocore, as Lambda would refuse a bad one; and the
container credential provider's endpoint a SnapStart function gets its credentials from.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Seconds the server waits on a client's socket.
SOCKET_TIMEOUT = 5.0
#: The path of the container credentials endpoint.
CREDENTIALS_PATH = "/2023-01-01/credentials"

AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)


class Received:
    """One Invoke request as the server read it, and whether botocore agreed with its
    signature."""

    def __init__(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> None:
        self.method = method
        parts = urlsplit(target)
        self.path = parts.path
        self.raw_query = parts.query
        self.query = parse_qs(parts.query)
        #: Lowercase names.
        self.headers = headers
        self.body = body
        self.signed_headers: list[str] = []
        #: None when botocore computed the same signature, else why not.
        self.signature_problem: str | None = "not checked"

    def json(self) -> Any:
        return json.loads(self.body)


class LambdaApi:
    """The server: `url` for AWS_ENDPOINT_URL_LAMBDA; `answers` (status, headers,
    body) are given in turn, the last one repeated; `requests` as received."""

    def __init__(self, credentials: Credentials, region: str) -> None:
        self.credentials = credentials
        self.region = region
        self.requests: list[Received] = []
        self.answers: list[tuple[int, dict[str, str], bytes]] = [
            (202, {"x-amzn-RequestId": "8d3f2a4e-0000-4000-8000-00000000c0de"}, b"")
        ]
        #: The container credential provider's document, and its token.
        self.credentials_document: dict[str, str] = {}
        self.credentials_token = ""
        self.credentials_requests: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LambdaApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(SOCKET_TIMEOUT)

    def verify(self, received: Received) -> None:
        """Check the request's signature as Lambda would: botocore's SigV4Auth signs
        the same method, URL, signed headers and body at the same time."""
        match = AUTHORIZATION.fullmatch(received.headers.get("authorization", ""))
        if match is None:
            received.signature_problem = "no SigV4 Authorization header"
            return
        received.signed_headers = match["signed"].split(";")
        amz_date = received.headers.get("x-amz-date", "")
        expected_scope = (
            self.credentials.access_key,
            amz_date[:8],
            self.region,
            "lambda",
        )
        scope = (match["key"], match["date"], match["region"], match["service"])
        if scope != expected_scope:
            received.signature_problem = f"scope {scope}, expected {expected_scope}"
            return
        request = AWSRequest(
            method=received.method,
            url=f"http://{received.headers['host']}{received.path}?{received.raw_query}",
            data=received.body,
            headers={name: received.headers[name] for name in received.signed_headers},
        )
        request.context["timestamp"] = amz_date
        auth = SigV4Auth(self.credentials, "lambda", self.region)
        canonical = auth.canonical_request(request)
        signature = auth.signature(auth.string_to_sign(request, canonical), request)
        if signature != match["signature"]:
            received.signature_problem = f"botocore signs it {signature}:\n{canonical}"
        else:
            received.signature_problem = None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            timeout = SOCKET_TIMEOUT

            def do_GET(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                api.credentials_requests.append(headers)
                if (
                    self.path == CREDENTIALS_PATH
                    and headers.get("authorization") == api.credentials_token
                ):
                    self._answer(200, {}, json.dumps(api.credentials_document).encode())
                else:
                    self._answer(403, {}, b'{"message": "bad token"}')

            def do_POST(self) -> None:
                headers = {name.lower(): value for name, value in self.headers.items()}
                body = self.rfile.read(int(headers.get("content-length", "0")))
                received = Received("POST", self.path, headers, body)
                api.verify(received)
                api.requests.append(received)
                if received.signature_problem is not None:
                    self._answer(
                        403,
                        {"x-amzn-ErrorType": "InvalidSignatureException"},
                        b'{"message": "The request signature we calculated does not match"}',
                    )
                    return
                index = min(len(api.requests), len(api.answers)) - 1
                self._answer(*api.answers[index])

            def _answer(
                self, status: int, headers: dict[str, str], body: bytes
            ) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the tests assert on what was received

        return Handler


def serve(credentials: Credentials, region: str) -> Iterator[LambdaApi]:
    """A running LambdaApi, for a fixture."""
    with LambdaApi(credentials, region) as api:
        yield api
