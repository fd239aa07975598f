"""Assembly of the PEP 3333 environ, shared by every source."""

from __future__ import annotations

import io
import sys

from .fields import get_map, get_str, get_str_list, wsgi_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from .compat import Json, WSGIEnvironment
    from .config import Options

__all__ = [
    "ENVIRON_PREFIX",
    "build_environ",
    "event_header_pairs",
    "mount",
    "resolve_mount",
]

#: Namespace of the adapter's own environ keys (PEP 3333 extension keys).
ENVIRON_PREFIX = "cdk_wsgi."

_UNPREFIXED = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))


def event_header_pairs(event: Json) -> list[tuple[str, str]]:
    """Header pairs of a v1/ALB event: multiValueHeaders if any, else headers, not both.

    REST sends both maps (`headers` holds only the last value of a repeated header), so
    merging them would duplicate every value; ALB sends exactly one of them.
    """
    multi = get_map(event, "multiValueHeaders")
    if multi:
        return [(name, value) for name in multi for value in get_str_list(multi, name)]
    single = get_map(event, "headers")
    return [(name, get_str(single, name)) for name in single]


def resolve_mount(
    domain: str, stage: str, options: Options, *, stage_in_path: bool
) -> tuple[str, bool]:
    """(SCRIPT_NAME prefix, whether the path may carry it) for a request to `domain`."""
    domain = _host_name(domain).lower()
    if domain in options.base_paths:
        base = options.base_paths[domain]
        # REST keeps the base path in `path`; HTTP API rawPath drops it: strip only if
        # present.
        return wsgi_text("/" + base if base else ""), True
    if ".execute-api." in domain and stage and stage != "$default":
        # REST `path` excludes the stage; HTTP API rawPath starts with it.
        return wsgi_text("/" + stage), stage_in_path
    return "", False


def mount(path: str, prefix: str, *, in_path: bool) -> tuple[str, str]:
    """Split `path` into (SCRIPT_NAME, PATH_INFO), stripping `prefix` once."""
    if not path.startswith("/"):
        path = "/" + path  # PEP 3333: a non-empty PATH_INFO starts with "/"
    if in_path and prefix and (path == prefix or path.startswith(prefix + "/")):
        return prefix, path[len(prefix) :]
    return prefix, path


def _host_name(host: str) -> str:
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def build_environ(
    *,
    source: str,
    event: Json,
    context: Any,
    method: str,
    script_name: str,
    path_info: str,
    query_string: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    domain: str,
    scheme: str,
    port: str,
    protocol: str,
    remote_addr: str,
    remote_user: str,
    raw_uri: str,
) -> WSGIEnvironment:
    """Build the environ; string arguments are event text, made WSGI text here."""
    environ: WSGIEnvironment = {}
    for name, value in headers:
        # Drop names spelled with "_": after WSGI normalisation `X_Forwarded_For` would
        # pass for `X-Forwarded-For` (nginx and gunicorn drop them too).
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        if key not in _UNPREFIXED:
            key = "HTTP_" + key
        text = wsgi_text(value)
        if key in environ:
            environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + text
        else:
            environ[key] = text
    # REST sends no Content-Length and a base64 body changes length: count the decoded
    # bytes.
    environ.pop("CONTENT_LENGTH", None)
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    if "HTTP_HOST" not in environ and domain:
        environ["HTTP_HOST"] = wsgi_text(domain)
    host = environ.get("HTTP_HOST", "")
    environ.update(
        {
            "REQUEST_METHOD": wsgi_text(method),
            "SCRIPT_NAME": script_name,
            "PATH_INFO": path_info,
            "QUERY_STRING": query_string,
            "SERVER_NAME": _host_name(host) or "localhost",
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": wsgi_text(protocol) or "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            ENVIRON_PREFIX + "source": source,
            ENVIRON_PREFIX + "event": event,
            ENVIRON_PREFIX + "context": context,
            ENVIRON_PREFIX + "raw_uri": wsgi_text(raw_uri),
        }
    )
    if remote_addr:
        environ["REMOTE_ADDR"] = wsgi_text(remote_addr)
    if remote_user:
        environ["REMOTE_USER"] = wsgi_text(remote_user)
    return environ
