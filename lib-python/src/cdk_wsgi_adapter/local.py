"""The app behind a local stand-in for its front door, which speaks plain HTTP.

API Gateway and Function URLs serve HTTPS only, so the adapter tells the app https
and port 443. The CLI's local front door (`cdk-wsgi emulate`, `cdk-wsgi serve`)
serves http on a port of its own, which it sends as X-Forwarded-Port: URLs the app
builds (redirects, links) and origin checks (Django's CSRF) must say so. Imported
only when LOCAL_HTTP_VARIABLE is "1", which no deployed function has.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from .compat import StartResponse, WSGIApplication, WSGIEnvironment


def served_over_http(app: WSGIApplication) -> WSGIApplication:
    """`app`, seeing the local server's plain HTTP and port."""

    def local_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = "http"
        port = environ.get("HTTP_X_FORWARDED_PORT", "").strip()
        environ["SERVER_PORT"] = port if port.isascii() and port.isdigit() else "80"
        return app(environ, start_response)

    return local_app
