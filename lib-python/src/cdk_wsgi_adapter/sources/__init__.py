"""Event sources, and which one an event comes from.

Detection reads explicit fields only, in this order, because the shapes overlap:
1. ALB: requestContext.elb. Its events carry `httpMethod` and no `version`, exactly
   like REST's, and only this field tells them apart.
2. Payload 2.0: `version` "2.0" with `rawPath` and requestContext.http (VPC Lattice v2
   also says "2.0" but has neither). A Function URL when the domain is
   `<id>.lambda-url.<region>.on.aws`, otherwise an HTTP API.
3. REST, and HTTP API payload 1.0: `httpMethod`, and `version` absent (REST) or "1.0".
"""

from __future__ import annotations

from . import alb, rest_v1
from .payload_v2 import function_url, http_api

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..compat import Json
    from .base import EventSource


def detect(event: Json) -> EventSource | None:
    """The source `event` comes from, or None when it is no HTTP event served here."""
    request_context = event.get("requestContext")
    if not isinstance(request_context, dict):
        request_context = {}
    if "elb" in request_context:
        return alb
    version = event.get("version", "1.0")
    if version == "2.0":
        if "http" not in request_context or "rawPath" not in event:
            return None
        domain = request_context.get("domainName")
        if isinstance(domain, str) and ".lambda-url." in domain:
            return function_url
        return http_api
    if version == "1.0" and "httpMethod" in event:
        return rest_v1
    return None
