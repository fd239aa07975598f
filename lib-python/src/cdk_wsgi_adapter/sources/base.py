"""The interface every event source module implements, and the payload limits."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    from ..compat import Json, WSGIEnvironment
    from ..config import Options
    from ..response import Response

    class EventSource(Protocol):
        """A front door: recognises its events and translates them to WSGI and back."""

        #: Short name, also exposed to the app as environ["cdk_wsgi.source"].
        NAME: str
        #: Largest serialised response (bytes of JSON) the front door accepts.
        RESPONSE_LIMIT: int

        def to_environ(
            self, event: Json, context: Any, options: Options
        ) -> WSGIEnvironment:
            """The WSGI environ; raises MalformedEventError on bad fields."""

        def to_response(
            self, event: Json, response: Response, options: Options
        ) -> Json:
            """The Lambda response in this front door's shape; never raises."""


#: Lambda's synchronous response payload limit, 6 MB of JSON (API_Invoke docs).
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
#: ALB takes at most 1 MB of response JSON from a Lambda target, and answers a larger
#: one with a bare 502 of its own: "The target is a Lambda function and the response
#: body exceeds 1 MB". https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html,
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-502-issues
ALB_RESPONSE_LIMIT = 1024 * 1024
