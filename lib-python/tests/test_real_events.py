"""Every real AWS sample event in tests/events: detected right, answered in the right shape."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_wsgi_adapter import UnsupportedEventError, make_handler
from conftest import EVENTS, Capture, ContextStub, load_event

# file -> expected outcome: the source name, "400:<source>" (malformed body), "warm-up" or
# "rejected" (not an HTTP front door). Matches the event-type column of events/README.md.
EXPECTED = dict(
    [
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/cookies-get-multiple-httpapi-v2-request.json",
            "http_v2",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/encode-space-in-resource-path-and-query.json",
            "rest_v1",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/rawtarget-escaped-percent-slash-in-path.json",
            "rest_v1",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/rawtarget-escaped-reserved-in-query-httpapi-v2.json",
            "http_v2",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-all-httpapi-v2-with-stage.json",
            "http_v2",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-different-proxypath-apigateway-request.json",
            "rest_v1",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/values-get-querystring-alb-mv-encoding-request.json",
            "alb",
        ),
        (
            "aws-lambda-dotnet/AspNetCoreServer.Test/values-put-binary-alb-request.json",
            "alb",
        ),
        (
            "aws-lambda-dotnet/EventsTests.Shared/alb-request-multi-value.json",
            "400:alb",
        ),
        ("aws-lambda-dotnet/EventsTests.Shared/proxy-event.json", "rest_v1"),
        ("aws-lambda-dotnet/EventsTests.Shared/scheduled-event.json", "warm-up"),
        ("aws-lambda-go/alb-lambda-target-request-headers-only.json", "alb"),
        ("aws-lambda-go/alb-lambda-target-request-multivalue-headers.json", "alb"),
        ("aws-lambda-go/apigw-request.json", "rest_v1"),
        ("aws-lambda-go/apigw-v2-request-jwt-authorizer.json", "http_v2"),
        ("aws-lambda-go/apigw-v2-request-no-authorizer.json", "http_v2"),
        ("aws-lambda-go/lambda-urls-request.json", "function_url"),
        (
            "aws-lambda-go/lambdaurl/function-url-domain-only-get-request-trailing-slash.json",
            "function_url",
        ),
        (
            "aws-lambda-go/lambdaurl/function-url-domain-only-get-request.json",
            "function_url",
        ),
        (
            "aws-lambda-go/lambdaurl/function-url-domain-only-request-with-base64-encoded-body.json",
            "function_url",
        ),
        (
            "aws-lambda-go/lambdaurl/function-url-request-with-headers-and-cookies-and-text-body.json",
            "function_url",
        ),
        ("aws-lambda-java-libs/apigw_http_event.json", "http_v2"),
        ("aws-lambda-java-libs/apigw_rest_event.json", "rest_v1"),
        ("aws-lambda-java-libs/cloudwatch_event.json", "warm-up"),
        (
            "aws-lambda-rust-runtime/lambda-events/example-apigw-console-test-request.json",
            "rest_v1",
        ),
        (
            "aws-lambda-rust-runtime/lambda-events/example-eventbridge-schedule.json",
            "warm-up",
        ),
        ("aws-lambda-rust-runtime/lambda-http/alb_health_check.json", "alb"),
        ("aws-lambda-rust-runtime/lambda-http/alb_multi_value_request.json", "alb"),
        (
            "aws-lambda-rust-runtime/lambda-http/alb_multi_value_request_encoded_query_parameters.json",
            "alb",
        ),
        (
            "aws-lambda-rust-runtime/lambda-http/alb_request_encoded_query_parameters.json",
            "alb",
        ),
        (
            "aws-lambda-rust-runtime/lambda-http/apigw_multi_value_proxy_request.json",
            "rest_v1",
        ),
        ("aws-lambda-rust-runtime/lambda-http/apigw_no_host.json", "rest_v1"),
        ("aws-lambda-rust-runtime/lambda-http/apigw_proxy_request.json", "rest_v1"),
        (
            "aws-lambda-rust-runtime/lambda-http/apigw_request_path_with_space.json",
            "http_v2",
        ),
        ("aws-lambda-rust-runtime/lambda-http/apigw_v2_proxy_request.json", "http_v2"),
        (
            "aws-lambda-rust-runtime/lambda-http/apigw_v2_proxy_request_minimal.json",
            "http_v2",
        ),
        (
            "aws-lambda-rust-runtime/lambda-http/apigw_v2_proxy_request_with_stage_in_path.json",
            "http_v2",
        ),
        (
            "aws-lambda-rust-runtime/lambda-http/lambda_function_url_request.json",
            "function_url",
        ),
        ("aws-sam-cli/alb/ALBRequest.json", "alb"),
        ("aws-sam-cli/apigateway/AwsProxy.json", "rest_v1"),
        ("aws-sam-cli/apigateway/HttpApi.json", "http_v2"),
        ("aws-sam-cli/cloudwatch/ScheduledEvent.json", "warm-up"),
        ("powertools-lambda-python/albEvent.json", "alb"),
        ("powertools-lambda-python/albMultiValueHeadersEvent.json", "alb"),
        ("powertools-lambda-python/albMultiValueQueryStringEvent.json", "alb"),
        ("powertools-lambda-python/apiGatewayProxyEvent.json", "rest_v1"),
        (
            "powertools-lambda-python/apiGatewayProxyEventAnotherPath.json",
            "400:rest_v1",
        ),
        ("powertools-lambda-python/apiGatewayProxyEventPrincipalId.json", "rest_v1"),
        ("powertools-lambda-python/apiGatewayProxyV2Event.json", "http_v2"),
        ("powertools-lambda-python/apiGatewayProxyV2Event_GET.json", "http_v2"),
        ("powertools-lambda-python/eventBridgeEvent.json", "rejected"),
        # Event-source events: rejected without a registered handler (test_event_handlers.py).
        ("aws-lambda-java-libs/dynamo_event.json", "rejected"),
        ("powertools-lambda-python/kinesisStreamEventOneRecord.json", "rejected"),
        ("powertools-lambda-python/s3Event.json", "rejected"),
        ("powertools-lambda-python/snsEvent.json", "rejected"),
        ("powertools-lambda-python/sqsEvent.json", "rejected"),
        ("powertools-lambda-python/lambdaFunctionUrlEvent.json", "function_url"),
        (
            "powertools-lambda-python/lambdaFunctionUrlEventWithHeaders.json",
            "function_url",
        ),
        ("powertools-lambda-python/vpcLatticeEvent.json", "rejected"),
        ("powertools-lambda-python/vpcLatticeV2Event.json", "rejected"),
        ("serverless-plugin-warmup/default-payload.json", "warm-up"),
    ]
)

SHAPES = {
    "rest_v1": {"statusCode", "multiValueHeaders", "body", "isBase64Encoded"},
    "http_v2": {"statusCode", "headers", "cookies", "body", "isBase64Encoded"},
    "function_url": {"statusCode", "headers", "cookies", "body", "isBase64Encoded"},
}


def alb_shape(event: dict[str, Any]) -> set[str]:
    headers = (
        "multiValueHeaders" if event.get("multiValueHeaders") is not None else "headers"
    )
    return {"statusCode", "statusDescription", headers, "body", "isBase64Encoded"}


def test_every_copied_event_is_classified() -> None:
    assert sorted(EXPECTED) == sorted(
        p.relative_to(EVENTS).as_posix() for p in EVENTS.rglob("*.json")
    )


@pytest.mark.parametrize(("relative", "expected"), sorted(EXPECTED.items()))
def test_real_event(relative: str, expected: str) -> None:
    event = load_event(relative)
    capture = Capture(headers=[("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
    handler = make_handler(capture.app)
    if expected == "rejected":
        with pytest.raises(UnsupportedEventError):
            handler(event, ContextStub())
        return
    response = handler(event, ContextStub())
    if expected == "warm-up":
        assert response == {"warmed": 1}
        return
    status, _, source = expected.rpartition(":")
    assert response["statusCode"] == int(status or 200)
    shape = alb_shape(event) if source == "alb" else SHAPES[source]
    assert set(response) == shape
    if not status:
        assert capture.environ["cdk_wsgi.source"] == source
        assert capture.environ["cdk_wsgi.event"] is event
