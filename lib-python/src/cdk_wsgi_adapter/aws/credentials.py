"""The function's AWS credentials, found as the AWS SDKs find them on Lambda: the
execution role's keys in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN; or, in a function using SnapStart, which has none of those, from
the container credential provider, AWS_CONTAINER_CREDENTIALS_FULL_URI with the token
of AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html#snapstart-credentials,
https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html)."""

from __future__ import annotations

import json

from .client import send
from .sigv4 import Credentials

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Seconds the container credential provider's endpoint (local to the environment)
#: may take for each socket operation.
CONTAINER_TIMEOUT_SECONDS = 2.0


def find_credentials(environ: Mapping[str, str]) -> Credentials:
    """The credentials `environ` gives, fetched from the container credential
    provider when it has no keys; raises RuntimeError when there are none."""
    access_key = environ.get("AWS_ACCESS_KEY_ID")
    secret_key = environ.get("AWS_SECRET_ACCESS_KEY")
    if access_key and secret_key:
        return Credentials(access_key, secret_key, environ.get("AWS_SESSION_TOKEN"))
    uri = environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if uri:
        return _from_container(uri, environ)
    raise RuntimeError(
        "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, "
        "nor AWS_CONTAINER_CREDENTIALS_FULL_URI (as Lambda sets them)"
    )


def _from_container(uri: str, environ: Mapping[str, str]) -> Credentials:
    headers = {}
    # The file, when named, takes precedence, as in the SDKs.
    token_file = environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file:
        with open(token_file, encoding="utf-8") as file:
            headers["Authorization"] = file.read().strip()
    elif environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"):
        headers["Authorization"] = environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    answer = send("GET", uri, headers=headers, timeout=CONTAINER_TIMEOUT_SECONDS)
    try:
        if answer.status != 200:
            raise ValueError(answer.status)
        document = json.loads(answer.body)
        return Credentials(
            document["AccessKeyId"], document["SecretAccessKey"], document.get("Token")
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        raise RuntimeError(
            f"no AWS credentials from the container credential provider {uri}: "
            f"it answered {answer.status} {answer.body[:200]!r}"
        ) from None
