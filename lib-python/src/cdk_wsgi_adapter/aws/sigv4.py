"""AWS Signature Version 4, with hmac and hashlib: the Authorization header of one
request, as the AWS SDKs compute it for services other than S3.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

ALGORITHM = "AWS4-HMAC-SHA256"


class Credentials:
    """An access key, its secret, and the session token of temporary credentials."""

    __slots__ = ("access_key", "secret_key", "token")

    def __init__(self, access_key: str, secret_key: str, token: str | None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token


def query_string(params: Iterable[tuple[str, str]]) -> str:
    """The canonical query string, which is also the one to send: names and values
    URI-encoded (RFC 3986 unreserved characters kept), sorted by name, then value."""
    encoded = sorted((_encode(name), _encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def sign(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    service: str,
    region: str,
    credentials: Credentials,
    timestamp: str | None = None,
) -> dict[str, str]:
    """The headers to send: `headers` (Host among them), X-Amz-Date, the session
    token if any, and an Authorization signing all of them and the body. `path` is
    the path as sent (segments URI-encoded once), `query` from query_string(), and
    `timestamp` `YYYYMMDDTHHMMSSZ`, now in UTC unless given."""
    amz_date = timestamp or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    signed = {**headers, "X-Amz-Date": amz_date}
    if credentials.token:
        signed["X-Amz-Security-Token"] = credentials.token
    # Lowercase names, values trimmed with inner runs of spaces made one.
    canonical = {
        name.lower(): " ".join(value.split()) for name, value in signed.items()
    }
    names = sorted(canonical)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [
            method,
            # Services other than S3 take each segment URI-encoded twice: once in
            # the path sent, once more here.
            quote(path, safe="/~"),
            query,
            "".join(f"{name}:{canonical[name]}\n" for name in names),
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    signed["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return signed


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")
