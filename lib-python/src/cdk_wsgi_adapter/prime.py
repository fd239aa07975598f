"""Priming: GET requests sent through the handler at init, shaped as the front door's.

Frameworks defer work to their first request: Django, for one, imports the URLconf
(and with it every view module) and sets up its template engines then. Priming does
that work in the init phase, before the first real request, and with SnapStart
before the snapshot, so that every restored environment starts with it done.
Imported only when the construct sets CDK_WSGI_PRIME.
"""

from __future__ import annotations

import time
from functools import partial

from .config import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    VIEWER_HOST_HEADER,
    VIEWER_PROTO_HEADER,
)
from .deadline import Alarm
from .environ import is_execute_api
from .exceptions import DeadlineExceeded
from .log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .adapter import Handler
    from .compat import Json
    from .config import Options, PrimeConfig

#: The priming requests' User-Agent, so that the app's own logs can tell them apart.
USER_AGENT = "cdk-wsgi-prime"
#: The client address of a priming request (there is no client).
SOURCE_IP = "127.0.0.1"


def prime(handler: Handler, config: PrimeConfig, options: Options) -> None:
    """Send GET for each of `config.paths` through `handler` and log its status, a
    4xx or 5xx as a warning. Whatever a request raises, BaseException included, is
    logged with its traceback and the next path primed. Within `config.timeout_millis`
    in all: the path in progress then is interrupted (in the main thread, where
    Lambda runs init), and the rest are skipped with one warning naming them."""
    base_path = options.base_paths.get(config.host.lower())
    alarm = Alarm()
    end = time.monotonic() + config.timeout_millis / 1000
    paths = config.paths
    for index, path in enumerate(paths):
        remaining = end - time.monotonic()
        if remaining <= 0:  # a path overran where nothing could interrupt it
            _out_of_time(config, None, paths[index:])
            return
        if config.api_type == "REST":
            event = rest_event(config, path, base_path)
        elif config.api_type == "HTTP":
            event = http_event(config, path, base_path)
        elif config.api_type == "ALB":
            event = alb_event(config, path)
        else:  # a function URL has no custom domain, so no base path
            event = function_url_event(config, path)
        if options.origin_secret is not None:
            through_distribution(event, config, options.origin_secret)
        started = time.perf_counter()
        try:
            result = alarm.run(remaining, partial(handler, event, None))
        except DeadlineExceeded:
            _out_of_time(config, path, paths[index + 1 :])
            return
        except BaseException:
            # Init must complete: an exception here would fail the environment.
            logger().exception("priming GET %s failed", path)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        status = result["statusCode"]
        log = logger().warning if status >= 400 else logger().info
        log("primed GET %s: %d in %.1f ms", path, status, elapsed)


def _out_of_time(
    config: PrimeConfig, interrupted: str | None, skipped: tuple[str, ...]
) -> None:
    logger().warning(
        "priming stopped at its %d ms budget%s%s",
        config.timeout_millis,
        f", interrupting GET {interrupted}" if interrupted else "",
        f"; skipped {', '.join(skipped)}" if skipped else "",
    )


def rest_event(config: PrimeConfig, path: str, base_path: str | None) -> Json:
    """GET `path` as a REST API proxy integration sends it (payload 1.0) for `config`.

    A custom domain's base path stays in `path`; on the execute-api host the stage
    appears in requestContext.path only."""
    host, stage = config.host, config.stage
    if base_path is not None:
        request_path = f"/{base_path}{path}" if base_path else path
        context_path = request_path
    else:
        request_path = path
        context_path = f"/{stage}{path}" if is_execute_api(host) else path
    # The construct's REST API has `ANY /` and `ANY /{proxy+}`.
    resource = "/" if path == "/" else "/{proxy+}"
    headers = {
        "Accept": "*/*",
        "Host": host,
        "User-Agent": USER_AGENT,
        "X-Forwarded-For": SOURCE_IP,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    return {
        "resource": resource,
        "path": request_path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None if path == "/" else {"proxy": path[1:]},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": context_path,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainName": host,
            "identity": {"sourceIp": SOURCE_IP, "userAgent": USER_AGENT},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def http_event(config: PrimeConfig, path: str, base_path: str | None) -> Json:
    """GET `path` as an HTTP API's `$default` route sends it (payload 2.0).

    rawPath drops a custom domain's base path, and keeps a named stage on the
    execute-api host."""
    host, stage = config.host, config.stage
    named_stage = stage != "$default" and base_path is None and is_execute_api(host)
    raw_path = f"/{stage}{path}" if named_stage else path
    return _payload_v2(host, raw_path, stage)


def function_url_event(config: PrimeConfig, path: str) -> Json:
    """GET `path` as a Lambda function URL sends it: payload 2.0 like an HTTP API's
    `$default` route, with the URL's own requestContext.

    A function URL has no stage (stage and routeKey are `$default` placeholders), its
    accountId is "anonymous" with auth type NONE, and apiId and domainPrefix are the
    URL ID, the first label of `<url-id>.lambda-url.<region>.on.aws`
    (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
    Its rawPath stays percent-encoded: a priming path reads the same either way."""
    host = config.host
    url_id = host.partition(".")[0]
    event = _payload_v2(host, path, "$default")
    event["requestContext"].update(
        accountId="anonymous", apiId=url_id, domainPrefix=url_id
    )
    return event


def through_distribution(event: Json, config: PrimeConfig, secret: bytes) -> None:
    """Add to `event` the headers the construct's CloudFront distribution sends with a
    visitor's request (distribution.py): the origin secret, `config.host` as the
    viewer's Host and SOURCE_IP as its address, named in lowercase as CloudFront
    sends them, in each header map the front door's events have."""
    headers = {
        ORIGIN_SECRET_HEADER: secret.decode(),
        VIEWER_HOST_HEADER: config.host,
        VIEWER_ADDRESS_HEADER: SOURCE_IP,
        VIEWER_PROTO_HEADER: "https",
    }
    if "headers" in event:
        event["headers"].update(headers)
    if "multiValueHeaders" in event:
        event["multiValueHeaders"].update(
            {name: [value] for name, value in headers.items()}
        )


#: Names the priming requests' target group: the adapter learns no ARN at init.
PRIME_TARGET_GROUP_ARN = "arn:aws:elasticloadbalancing:::targetgroup/cdk-wsgi-prime"


def alb_event(config: PrimeConfig, path: str) -> Json:
    """GET `path` as a load balancer sends it to a Lambda target group with
    multi-value headers on, as the construct defines it: only the multi-value maps,
    lowercase header names, and an empty body
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html).

    A load balancer has no stage, and the construct maps no base path on its host."""
    headers = {
        "accept": "*/*",
        "host": config.host,
        "user-agent": USER_AGENT,
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    return {
        "requestContext": {"elb": {"targetGroupArn": PRIME_TARGET_GROUP_ARN}},
        "httpMethod": "GET",
        "path": path,
        "multiValueQueryStringParameters": {},
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "body": "",
        "isBase64Encoded": False,
    }


def _payload_v2(host: str, raw_path: str, stage: str) -> Json:
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": "",
        # Payload 2.0 sends header names in lowercase.
        "headers": {
            "accept": "*/*",
            "host": host,
            "user-agent": USER_AGENT,
            "x-forwarded-for": SOURCE_IP,
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "requestContext": {
            "domainName": host,
            "http": {
                "method": "GET",
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": USER_AGENT,
            },
            "routeKey": "$default",
            "stage": stage,
        },
        "isBase64Encoded": False,
    }
