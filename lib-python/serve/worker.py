"""The Python side of `cdk-wsgi serve`: one app, one adapter, invocations over a pipe.

Started by the CLI with its settings as the one argument. Like a Lambda execution
environment, it imports the app once (from `entry`, first on sys.path, then the
adapter), then answers one event at a time, reading invocations from stdin and writing
answers to the original stdout (cdk_wsgi_serve_protocol.py). The app's own output, down
to the file descriptor, goes to stderr, the developer's terminal.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import sys
import time
import traceback

# Imported while this folder is first on sys.path, before main() hands it to the app.
import cdk_wsgi_serve_protocol as protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, BinaryIO

    from cdk_wsgi_adapter.compat import StartResponse, WSGIEnvironment
    from cdk_wsgi_adapter.config import Options

ADAPTER_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


class LocalContext:
    """The attributes of Lambda's context object that apps read."""

    def __init__(self, settings: protocol.WorkerSettings, request_id: str) -> None:
        # `name:qualifier` when invoked through an alias, which the ARN names and the
        # function's name does not.
        qualified = settings["functionName"]
        name = qualified.partition(":")[0]
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:local:000000000000:function:{qualified}"
        )
        self.memory_limit_in_mb = str(settings["memorySize"])
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + settings["timeoutSeconds"]

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def missing_dependency_hint(exc: BaseException) -> str | None:
    """Say what to install when a module the app imports is not in this interpreter."""
    if not isinstance(exc, ModuleNotFoundError) or exc.name is None:
        return None
    top = exc.name.partition(".")[0]
    if os.path.exists(f"{top}.py") or os.path.isdir(top):
        return None  # a module of the app itself: a typo, not a missing package
    return (
        f"{exc.name!r} is not installed for {sys.executable}: install the app's "
        "dependencies into it (pip install -r requirements.txt), or pick the "
        "interpreter with --python or CDK_WSGI_PYTHON"
    )


def print_app_traceback(exc: BaseException) -> None:
    """The traceback from the app's first frame: this file and importlib are noise."""
    tb = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == __file__
        or tb.tb_frame.f_code.co_filename.startswith(("<frozen", importlib.__file__))
    ):
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)


def failed_app(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    print(
        "cdk-wsgi serve: the app failed to import (traceback above); "
        "save a file to reload",
        file=sys.stderr,
    )
    start_response(
        "500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")]
    )
    return [b"Internal Server Error"]


def load(
    settings: protocol.WorkerSettings,
) -> tuple[Callable[[Any, Any], Any], dict[str, Any]]:
    """The adapter's handler around the app, primed as at init on Lambda once the app
    imported, and the ready message for the CLI."""
    from cdk_wsgi_adapter.adapter import handler_for
    from cdk_wsgi_adapter.config import Options
    from cdk_wsgi_adapter.loader import import_app
    from cdk_wsgi_adapter.local import served_over_http

    # What make_handler builds, kept for prime(), which reads the base paths and secret.
    options = Options(
        text_media_types=settings["textMediaTypes"],
        binary_media_types=settings["binaryMediaTypes"],
        base_paths=settings["basePaths"],
        origin_secret=settings["originSecret"],
    )
    try:
        # The local server speaks plain HTTP on its port (X-Forwarded-Port).
        app = served_over_http(import_app(settings["app"]))
    except (Exception, SystemExit) as exc:
        print_app_traceback(exc)
        handler = handler_for(failed_app, options)
        return handler, protocol.ready_message(
            error=f"{type(exc).__name__}: {exc}", hint=missing_dependency_hint(exc)
        )
    handler = handler_for(app, options)
    prime = settings["prime"]
    primed = None if prime is None else prime_app(handler, prime, settings, options)
    return handler, protocol.ready_message(primed=primed)


def prime_app(
    handler: Callable[[Any, Any], Any],
    prime: protocol.PrimeSettings,
    settings: protocol.WorkerSettings,
    options: Options,
) -> list[dict[str, Any]] | None:
    """Run the adapter's own prime() through `handler`, as its init does on Lambda
    (its log lines included), each request with the Host a local client sends; return
    how each path went, or None when the adapter refuses the config (and logs why)."""
    from cdk_wsgi_adapter.config import parse_prime
    from cdk_wsgi_adapter.exceptions import DeadlineExceeded
    from cdk_wsgi_adapter.prime import prime as adapter_prime

    config = parse_prime(json.dumps(prime))
    if config is None:
        return None
    local = local_headers(settings["port"])
    primed: list[dict[str, Any]] = []

    def recording(event: Any, context: Any) -> Any:
        # prime() calls once per path, in order, until its budget runs out.
        path = config.paths[len(primed)]
        for key in ("headers", "multiValueHeaders"):
            headers = event.get(key, {})
            for name in headers:
                value = local.get(name.lower())
                if value is not None:
                    headers[name] = [value] if key == "multiValueHeaders" else value
        started = time.perf_counter()
        try:
            result = handler(event, context)
        except DeadlineExceeded:
            error = f"stopped at the prime timeout ({config.timeout_millis} ms)"
            primed.append({"path": path, "error": error})
            raise
        except BaseException as exc:
            primed.append({"path": path, "error": f"{type(exc).__name__}: {exc}"})
            raise
        elapsed = round((time.perf_counter() - started) * 1000)
        primed.append({"path": path, "status": result["statusCode"], "ms": elapsed})
        return result

    adapter_prime(recording, config, options)
    primed.extend(
        {"path": path, "skipped": True} for path in config.paths[len(primed) :]
    )
    return primed


def local_headers(port: int) -> dict[str, str]:
    """Lowercase header name -> the value a request to the local server carries, where
    a priming request names the deployed front door: its Host and scheme, and the
    viewer's through serve's stand-in distribution."""
    from cdk_wsgi_adapter.config import VIEWER_HOST_HEADER, VIEWER_PROTO_HEADER

    host = f"127.0.0.1:{port}"
    return {
        "host": host,
        "x-forwarded-port": str(port),
        "x-forwarded-proto": "http",
        VIEWER_HOST_HEADER: host,
        VIEWER_PROTO_HEADER: "http",
    }


def answer(
    handler: Callable[[Any, Any], Any], settings: protocol.WorkerSettings, line: bytes
) -> dict[str, Any]:
    request_id, event = protocol.read_invocation(line)
    context = LocalContext(settings, request_id)
    try:
        return protocol.result_message(handler(event, context))
    except Exception as exc:
        # Lambda reports a handler that raises as a function error; the adapter's own
        # answer to app exceptions is a 500 response, so this is rare.
        traceback.print_exc()
        return protocol.error_message(f"{type(exc).__name__}: {exc}")


def send(channel: BinaryIO, message: dict[str, Any]) -> None:
    channel.write(protocol.encode(message))
    channel.flush()


def main() -> None:
    settings = protocol.read_settings(sys.argv[1])
    # Ctrl+C in a terminal reaches the whole process group; the CLI stops this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Keep the protocol's pipes to ourselves: fd 1 becomes stderr and fd 0 /dev/null, so
    # print(), C extensions and subprocesses of the app cannot touch the channel.
    channel = os.fdopen(os.dup(1), "wb")
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    # As on Lambda: the code folder is the working directory and first on sys.path,
    # the adapter (the layer's /opt/python) next.
    os.chdir(settings["entry"])
    sys.path[0:1] = [settings["entry"], os.path.normpath(ADAPTER_SRC)]

    handler, ready = load(settings)
    send(channel, ready)
    for line in requests:  # ends when the CLI closes the pipe
        send(channel, answer(handler, settings, line))


if __name__ == "__main__":
    main()
