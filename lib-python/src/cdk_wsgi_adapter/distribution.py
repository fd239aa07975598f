"""Requests through the construct's CloudFront distribution: the environ says what the
visitor used, not what CloudFront did.

CloudFront sends its origin's own domain as Host (an API Gateway or function URL origin
answers no other), and the front door sees CloudFront's edge as the client. So the
distribution sends the deployment's secret in ORIGIN_SECRET_HEADER, an origin custom
header, which CloudFront overwrites when a viewer sends one of that name
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/forward-custom-headers.html),
and its viewer-request function copies the viewer's Host and IP address
(event.viewer.ip,
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html)
into VIEWER_HOST_HEADER and VIEWER_ADDRESS_HEADER, and sets VIEWER_PROTO_HEADER. A
request carrying the secret came through the distribution; any other, such as the API's
own URL called with forged viewer headers, is served as a direct request, or, when
the construct turns direct access off (DIRECT_ACCESS_VARIABLE), refused with a 403
that never reaches the app. The four headers never reach the app.

Imported only for a handler built with an origin secret: hmac loads OpenSSL.
"""

from __future__ import annotations

import hmac

from .config import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    VIEWER_HOST_HEADER,
    VIEWER_PROTO_HEADER,
)
from .environ import host_name
from .log import logger
from .response import Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compat import WSGIEnvironment

_SECRET, _HOST, _ADDRESS, _PROTO = (
    "HTTP_" + name.upper().replace("-", "_")
    for name in (
        ORIGIN_SECRET_HEADER,
        VIEWER_HOST_HEADER,
        VIEWER_ADDRESS_HEADER,
        VIEWER_PROTO_HEADER,
    )
)


def from_viewer(environ: WSGIEnvironment, secret: bytes) -> bool:
    """Take the distribution's headers out of `environ` (a source's, headers in); when
    they carry `secret`, make the host, scheme, client address and path the viewer's,
    and return True."""
    sent = environ.pop(_SECRET, None)
    host = _single(environ.pop(_HOST, None))
    address = _single(environ.pop(_ADDRESS, None))
    proto = environ.pop(_PROTO, None)
    # Header values are WSGI text: latin-1 gives back the bytes received. Several
    # values arrive joined with commas, and never equal the secret.
    if sent is None or not hmac.compare_digest(sent.encode("latin-1"), secret):
        return False
    # Without a usable viewer value, the event's own stays, as for a direct request.
    name = host_name(host)
    if name:
        environ["HTTP_HOST"] = host
        environ["SERVER_NAME"] = name
    # CloudFront says https (it redirects HTTP first); only `cdk-wsgi serve`, standing
    # in for it on this machine, says http, with its own port in the host.
    if proto == "http":
        environ["wsgi.url_scheme"] = "http"
        port = host[len(name) + 1 :] if name and host != name else ""
        environ["SERVER_PORT"] = port or "80"
    else:
        environ["wsgi.url_scheme"] = "https"
        environ["SERVER_PORT"] = "443"
    if address:
        environ["REMOTE_ADDR"] = address
    # The distribution is the app's only front, at its root: the stage (REST and named
    # HTTP API stages) is its origin path, which the sources keep out of PATH_INFO.
    # Its origin is the API's or the function URL's own domain, which no base path maps.
    environ["SCRIPT_NAME"] = ""
    environ["PATH_INFO"] = environ["PATH_INFO"] or "/"
    return True


#: What a refused request's client reads: the site's own address is the way in.
REFUSED_BODY = b"Forbidden: requests to this app must come through its website.\n"


def refuse_direct(environ: WSGIEnvironment) -> Response:
    """The 403 for a request that did not come through the distribution (from_viewer
    returned False) when direct access is off; the app is not called. Logged with
    what the request said of itself, which is all there is to tell a probe by."""
    logger().warning(
        "refused a request without the distribution's secret header (direct access "
        "is off): %s %r, query %r, host %r, client %s, user agent %r",
        environ["REQUEST_METHOD"],
        environ["SCRIPT_NAME"] + environ["PATH_INFO"],
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("REMOTE_ADDR", ""),
        environ.get("HTTP_USER_AGENT", ""),
    )
    return Response(
        "403 Forbidden",
        [("Content-Type", "text/plain; charset=utf-8")],
        REFUSED_BODY,
    )


def _single(value: str | None) -> str:
    # Missing, empty, or several values joined with commas (a host or an IP address has
    # none): "", so the event's own value applies.
    value = (value or "").strip()
    return "" if "," in value else value
