"""The Python side of `cdk-wsgi serve`: one app, one adapter, invocations over a pipe.

Started by the CLI with its settings as the one argument. Like a Lambda execution
environment, it imports the app once (from `entry`, first on sys.path, then the
adapter), then answers one event at a time, reading invocations from stdin and writing
answers to the original stdout (cdk_wsgi_serve_protocol.py). The app's own output, down
to the file descriptor, goes to stderr, the developer's terminal.
"""

from __future__ import annotations

import importlib
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

    from cdk_wsgi_adapter.compat import StartResponse, WSGIApplication, WSGIEnvironment

ADAPTER_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


class LocalContext:
    """The attributes of Lambda's context object that apps read."""

    def __init__(self, settings: protocol.WorkerSettings, request_id: str) -> None:
        name = settings["functionName"]
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{name}"
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


def served_locally(app: WSGIApplication, port: str) -> WSGIApplication:
    """The local server speaks plain HTTP: URLs the app builds must say so too."""

    def local_app(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        environ["wsgi.url_scheme"] = "http"
        environ["SERVER_PORT"] = port
        return app(environ, start_response)

    return local_app


def load(
    settings: protocol.WorkerSettings,
) -> tuple[Callable[[Any, Any], Any], dict[str, Any]]:
    """The adapter's handler around the app, and the ready message for the CLI."""
    from cdk_wsgi_adapter import make_handler
    from cdk_wsgi_adapter.loader import import_app

    try:
        app = served_locally(import_app(settings["app"]), str(settings["port"]))
        ready = protocol.ready_message()
    except (Exception, SystemExit) as exc:
        print_app_traceback(exc)
        app = failed_app
        ready = protocol.ready_message(
            error=f"{type(exc).__name__}: {exc}", hint=missing_dependency_hint(exc)
        )
    handler = make_handler(
        app,
        text_media_types=settings["textMediaTypes"],
        binary_media_types=settings["binaryMediaTypes"],
        base_paths=settings["basePaths"],
        origin_secret=settings["originSecret"],
    )
    return handler, ready


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
