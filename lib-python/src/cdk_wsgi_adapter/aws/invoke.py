"""Lambda's Invoke API, asynchronous: the request the SDKs send for
`invoke(FunctionName=..., Qualifier=..., InvocationType="Event", Payload=...)`.

`POST /2015-03-31/functions/{FunctionName}/invocations?Qualifier=...` with
`X-Amz-Invocation-Type: Event` and the payload as the body; Lambda queues the event
and answers 202 with an empty body and the invocation's request ID in
`x-amzn-RequestId`, or an error: its type in `x-amzn-ErrorType` and a JSON body with a
`message` (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote

from ..job_exceptions import TaskQueueError
from .client import send
from .credentials import find_credentials
from .sigv4 import query_string, sign

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: Seconds each socket operation of the call may take: Lambda answers an asynchronous
#: Invoke once it has queued the event, without waiting for the function.
INVOKE_TIMEOUT_SECONDS = 10.0


def endpoint(environ: Mapping[str, str]) -> str:
    """Lambda's endpoint URL, as the AWS SDKs choose it: AWS_ENDPOINT_URL_LAMBDA,
    else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true
    (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); else
    the region's, from AWS_REGION (set by Lambda)."""
    if environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        configured = environ.get("AWS_ENDPOINT_URL_LAMBDA") or environ.get(
            "AWS_ENDPOINT_URL"
        )
        if configured:
            return configured.rstrip("/")
    region = _region(environ)
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://lambda.{region}.{suffix}"


def invoke_async(
    function_name: str, qualifier: str, payload: bytes, environ: Mapping[str, str]
) -> str:
    """Queue `payload` for `function_name`:`qualifier` (InvocationType Event); the
    invocation's request ID. Raises TaskQueueError when Lambda does not queue it or
    cannot be reached, RuntimeError without a region or credentials."""
    base = endpoint(environ)
    region = _region(environ)
    scheme, _, rest = base.partition("://")
    host, slash, prefix = rest.partition("/")
    host = host.rpartition("@")[2]
    path = (
        f"{slash}{prefix}/2015-03-31/functions/{quote(function_name, safe='')}"
        "/invocations"
    )
    query = query_string([("Qualifier", qualifier)])
    headers = sign(
        method="POST",
        path=path,
        query=query,
        headers={
            "Host": host,
            "Content-Type": "application/json",
            "X-Amz-Invocation-Type": "Event",
        },
        body=payload,
        service="lambda",
        region=region,
        credentials=find_credentials(environ),
    )
    what = f"{function_name}:{qualifier}"
    try:
        answer = send(
            "POST",
            f"{scheme}://{host}{path}?{query}",
            headers=headers,
            body=payload,
            timeout=INVOKE_TIMEOUT_SECONDS,
        )
    except (OSError, http.client.HTTPException) as exc:
        raise TaskQueueError(
            f"cannot queue the task on {what}: Lambda at {base} did not answer: {exc!r}"
        ) from exc
    if answer.status != 202:
        error_type, message = _error(
            answer.headers.get("x-amzn-ErrorType"), answer.body
        )
        raise TaskQueueError(
            f"Lambda did not queue the task on {what}: {answer.status} {error_type}: "
            f"{message}"
        )
    return answer.headers.get("x-amzn-RequestId") or ""


def _region(environ: Mapping[str, str]) -> str:
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise RuntimeError("no AWS region: AWS_REGION is not set (as Lambda sets it)")
    return region


def _error(header: str | None, body: bytes) -> tuple[str, str]:
    """The error type (`x-amzn-ErrorType` is `Type:namespace URL`, or `__type` in
    the body) and message Lambda answered with."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        document = {}
    error_type = (header or "").partition(":")[0] or str(
        document.get("__type") or document.get("Type") or "unknown error"
    )
    message = document.get("message") or document.get("Message")
    return error_type, str(message) if message else body[:200].decode(errors="replace")
