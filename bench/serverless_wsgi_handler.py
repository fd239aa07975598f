"""The example app behind serverless-wsgi, for bench/lambda-cold-start.

serverless-wsgi's documented handler of your own: the app is imported at init, as the plugin's generated
wsgi_handler does after reading its .serverless-wsgi file, and every event goes to handle_request.
"""

from __future__ import annotations

from typing import Any

import serverless_wsgi
from api import app


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serverless_wsgi.handle_request(app, event, context)
