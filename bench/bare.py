"""The least any adapter must do for an HTTP API (payload 2.0) event: a yardstick.

`bash bench/run` times it and `bash bench/instructions` counts it beside the contestants
in (b) and (c) to show how much of an overhead is irreducible on this interpreter: build the environ and a
wsgi.input, call the app, collect its answer, build the response dict. It trusts
every field to have the type AWS documents and skips everything else a real adapter
owes its users: source detection, validation, the stage and base path, dropping
underscore and hop-by-hop headers, CR/LF checks, cookies, the size guard, error pages.
Not an adapter: never serve with it.
"""

from __future__ import annotations

import binascii
import io
import sys
from typing import Any

from workload import Handler, WSGIApp

_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _key(name: str) -> str:
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key


def make_bare_handler(app: WSGIApp) -> Handler:
    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        http = event["requestContext"]["http"]
        headers = event["headers"]
        body = event["body"].encode()
        environ = {
            "REQUEST_METHOD": http["method"],
            "SCRIPT_NAME": "",
            "PATH_INFO": event["rawPath"],
            "QUERY_STRING": event["rawQueryString"],
            "SERVER_NAME": headers["host"],
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": http["protocol"],
            "REMOTE_ADDR": http["sourceIp"],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        names = tuple(headers)
        keys = _KEYS.get(names) or _KEYS.setdefault(names, tuple(map(_key, names)))
        environ.update(zip(keys, headers.values(), strict=True))
        answer: list[Any] = []

        def start_response(status: str, response_headers: list[Any]) -> None:
            answer[:] = status, response_headers

        chunks = app(environ, start_response)
        data = b"".join(chunks)
        status, response_headers = answer
        fields = dict(response_headers)
        text = fields.get("Content-Type", "").startswith(("text/", "application/json"))
        return {
            "statusCode": int(status[:3]),
            "headers": fields,
            "body": data.decode()
            if text
            else binascii.b2a_base64(data, newline=False).decode(),
            "isBase64Encoded": not text,
        }

    return handler
