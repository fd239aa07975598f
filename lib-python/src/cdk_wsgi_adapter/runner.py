"""Calls the WSGI app and buffers its response (PEP 3333 server side)."""

from __future__ import annotations

from .log import logger
from .response import Response, plain_response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed import OptExcInfo

    from .compat import WSGIApplication, WSGIEnvironment

__all__ = ["run_app"]


def run_app(app: WSGIApplication, environ: WSGIEnvironment) -> Response:
    """Run `app`; any exception is logged with its traceback and becomes a plain 500."""
    try:
        return _call(app, environ)
    except Exception:
        logger().exception(
            "unhandled exception in the WSGI app for %s %s",
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
        )
        return plain_response(500, "Internal Server Error")


def _check(status: object, headers: object) -> None:
    # Checked here, inside the app's call, so a bad status or header becomes our plain
    # 500 rather than a crash while the Lambda response is being built.
    if not (
        isinstance(status, str)
        and status[:3].isascii()
        and status[:3].isdigit()
        and status[3:4] in ("", " ")
    ):
        raise ValueError(f"invalid WSGI status {status!r}")
    # A plain loop: generator expressions in all() cost ~1 us per response here.
    if isinstance(headers, list):
        for header in headers:
            if not (
                isinstance(header, tuple)
                and len(header) == 2
                and isinstance(header[0], str)
                and isinstance(header[1], str)
            ):
                break
        else:
            return
    raise TypeError(
        f"WSGI headers must be a list of (str, str) tuples, got {headers!r}"
    )


def _call(app: WSGIApplication, environ: WSGIEnvironment) -> Response:
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks: list[bytes] = []

    def write(data: bytes) -> None:
        # The legacy imperative write() callable: buffered like the iterable's chunks.
        chunks.append(data)

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and exc_info[1] is not None:
            try:
                # Headers count as sent once body bytes exist; then the error cannot be
                # reported to the client any more, so it propagates (and becomes our
                # plain 500).
                if any(chunks):
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # break the traceback cycle, as PEP 3333 asks
        elif started:
            raise AssertionError("start_response() called twice without exc_info")
        _check(status, headers)
        started[:] = [(status, list(headers))]
        return write

    result = app(environ, start_response)
    try:
        for chunk in result:
            chunks.append(chunk)
    finally:
        # Django closes database connections in close(); it must run whatever happened.
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise AssertionError("the app returned without calling start_response()")
    status, headers = started[0]
    return Response(status, headers, b"".join(chunks))
