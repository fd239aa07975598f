"""Assembly of the PEP 3333 environ, shared by every source."""

from __future__ import annotations

import io
import sys

from .fields import get_map, str_list_pairs, str_pairs, wsgi_text

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
_SOURCE = ENVIRON_PREFIX + "source"
_EVENT = ENVIRON_PREFIX + "event"
_CONTEXT = ENVIRON_PREFIX + "context"
_RAW_URI = ENVIRON_PREFIX + "raw_uri"


def _environ_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    return key if key in _UNPREFIXED else "HTTP_" + key


# Environ keys of the headers nearly every request carries, in the two spellings AWS
# delivers (lower case on HTTP APIs, as sent by browsers on REST/ALB): a dict lookup
# instead of two string transformations and a concatenation per header. Static, so it
# holds nothing from any request.
_KNOWN_KEYS = {
    spelling: _environ_key(name)
    for name in (
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Authorization",
        "Cache-Control",
        "CloudFront-Forwarded-Proto",
        "CloudFront-Is-Desktop-Viewer",
        "CloudFront-Is-Mobile-Viewer",
        "CloudFront-Is-SmartTV-Viewer",
        "CloudFront-Is-Tablet-Viewer",
        "CloudFront-Viewer-Country",
        "Content-Length",
        "Content-Type",
        "Cookie",
        "Host",
        "Origin",
        "Referer",
        "User-Agent",
        "Via",
        "X-Amz-Cf-Id",
        "X-Amzn-Trace-Id",
        "X-Forwarded-For",
        "X-Forwarded-Port",
        "X-Forwarded-Proto",
        "X-Request-Id",
    )
    for spelling in (name, name.lower())
}


def event_header_pairs(event: Json) -> list[tuple[str, str]]:
    """Header pairs of a v1/ALB event: multiValueHeaders if any, else headers, not both.

    REST sends both maps (`headers` holds only the last value of a repeated header), so
    merging them would duplicate every value; ALB sends exactly one of them.
    """
    multi = get_map(event, "multiValueHeaders")
    if multi:
        return str_list_pairs(multi)
    return str_pairs(get_map(event, "headers"))


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
    # One dict display rather than update() calls, and wsgi_text inlined for header
    # values (`isascii()` is the common case): this runs on every request.
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": method if method.isascii() else wsgi_text(method),
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": query_string,
        "SERVER_PORT": port,
        "SERVER_PROTOCOL": (protocol if protocol.isascii() else wsgi_text(protocol))
        or "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        _SOURCE: source,
        _EVENT: event,
        _CONTEXT: context,
        _RAW_URI: raw_uri if raw_uri.isascii() else wsgi_text(raw_uri),
    }
    headers_seen: dict[str, str] = {}
    known = _KNOWN_KEYS
    for name, value in headers:
        key = known.get(name)
        if key is None:
            # Drop names spelled with "_": after WSGI normalisation `X_Forwarded_For`
            # would pass for `X-Forwarded-For` (nginx and gunicorn drop them too).
            if "_" in name:
                continue
            key = _environ_key(name)
        text = value if value.isascii() else wsgi_text(value)
        if key in headers_seen:
            headers_seen[key] += ("; " if key == "HTTP_COOKIE" else ", ") + text
        else:
            headers_seen[key] = text
    # REST sends no Content-Length and a base64 body changes length: count the decoded
    # bytes.
    headers_seen.pop("CONTENT_LENGTH", None)
    if body:
        headers_seen["CONTENT_LENGTH"] = str(len(body))
    if "HTTP_HOST" not in headers_seen and domain:
        headers_seen["HTTP_HOST"] = wsgi_text(domain)
    environ.update(headers_seen)
    environ["SERVER_NAME"] = (
        _host_name(headers_seen.get("HTTP_HOST", "")) or "localhost"
    )
    if remote_addr:
        environ["REMOTE_ADDR"] = wsgi_text(remote_addr)
    if remote_user:
        environ["REMOTE_USER"] = wsgi_text(remote_user)
    return environ
