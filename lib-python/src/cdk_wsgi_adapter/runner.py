"""Calls the WSGI app and buffers its response (PEP 3333 server side)."""

from __future__ import annotations

from .exceptions import DeadlineExceeded
from .log import logger
from .response import Response, plain_response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed import OptExcInfo

    from .compat import WSGIApplication, WSGIEnvironment


def run_app(app: WSGIApplication, environ: WSGIEnvironment) -> Response:
    """Run `app`; any exception it raises, BaseException included, is logged with its
    traceback and becomes a plain 500, and so does a status or header that
    start_response() rejects. Only the adapter's own DeadlineExceeded propagates."""
    response: Response | None = None
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        nonlocal response
        if exc_info is not None and exc_info[1] is not None:
            try:
                # Once body bytes exist the headers count as sent, and the error can
                # only propagate (and become our plain 500).
                if any(chunks):
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # break the traceback cycle, as PEP 3333 asks
        elif response is not None:
            raise AssertionError("start_response() called twice without exc_info")
        # Validated here, inside the app's call, so a bad status or header becomes our
        # plain 500 rather than a crash while the Lambda response is being built.
        response = Response(status, headers)
        # The legacy imperative write() callable: buffered like the iterable's chunks.
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            chunks.extend(result)  # appends as it iterates: any(chunks) above sees them
        finally:
            # Django closes database connections in close(): it runs whatever happens.
            if not isinstance(result, list):  # the usual app's result has no close()
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        if response is None:
            raise AssertionError("the app returned without calling start_response()")
        response.body = b"".join(chunks)
    except DeadlineExceeded:  # priming's or a command's budget, not the app's doing
        raise
    except BaseException:
        # SystemExit, KeyboardInterrupt, GeneratorExit...: in a server that outlives
        # the request, they end the request, never the environment.
        logger().exception(
            "unhandled exception in the WSGI app for %s %s",
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
        )
        return plain_response(500, "Internal Server Error")
    return response
