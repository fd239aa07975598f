"""One HTTP request with a bounded timeout, over http.client."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: The most of an answer's body read: AWS's error and credential documents are small.
BODY_LIMIT = 64 * 1024


class Answer:
    """An HTTP answer: its status, headers (looked up in any case) and body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body


def send(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    timeout: float,
) -> Answer:
    """Send one request to `url` (http or https; `headers` as given, Host included
    when given) and read the answer, each socket operation bounded by `timeout`
    seconds. Raises OSError (TimeoutError included) when the server cannot be
    reached or does not answer in time."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection_type = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = connection_type(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=body, headers=dict(headers))
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read(BODY_LIMIT))
    finally:
        connection.close()
