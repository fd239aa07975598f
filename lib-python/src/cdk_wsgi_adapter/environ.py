"""Assembly of the PEP 3333 environ, shared by every source.

This runs on every request, so the common case (string headers, one value each, no
duplicates) goes through C-level `map`, `zip` and `join` calls; anything unusual takes
the validating slow path, which gives the same result or a MalformedEventError.
"""

from __future__ import annotations

import io
import sys

from .body import decode_base64_body
from .exceptions import MalformedEventError
from .fields import get_map, get_str, get_str_list, wsgi_text
from .quoting import unquote_to_wsgi

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .compat import Json, WSGIEnvironment
    from .config import Options

__all__ = [
    "ENVIRON_PREFIX",
    "add_event_headers",
    "add_headers",
    "finish_environ",
    "mount",
    "new_environ",
]

#: Namespace of the adapter's own environ keys (PEP 3333 extension keys).
ENVIRON_PREFIX = "cdk_wsgi."

_SOURCE = ENVIRON_PREFIX + "source"
_EVENT = ENVIRON_PREFIX + "event"
_CONTEXT = ENVIRON_PREFIX + "context"
_RAW_URI = ENVIRON_PREFIX + "raw_uri"
_MAX_MOUNTS = 64
_UNPREFIXED = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))
#: Stands for "drop this header" among environ keys.
_DROP = ""
#: Header-name layouts (a request's header names, in order) -> their environ keys, or
#: None when a name is dropped or two names share a key. Clients send the same few
#: layouts again and again, so this saves turning every name into a key on every
#: request. Bounded, since clients choose the names.
_LAYOUTS: dict[tuple[str, ...], tuple[str, ...] | None] = {}
_MAX_LAYOUTS = 256
_UNSEEN = ("unseen",)
#: Where every environ starts: the constant WSGI keys, and HTTPS, as API Gateway and
#: Function URLs serve only HTTPS (ALB corrects scheme and port from its headers).
_DEFAULTS = {
    "SERVER_PORT": "443",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "https",
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def _environ_key(name: str) -> str:
    # Drop names spelled with "_": after WSGI normalisation `X_Forwarded_For` would
    # pass for `X-Forwarded-For` (nginx and gunicorn drop them too).
    if "_" in name:
        return _DROP
    key = name.upper().replace("-", "_")
    return key if key in _UNPREFIXED else "HTTP_" + key


def _layout_keys(names: tuple[str, ...]) -> tuple[str, ...] | None:
    keys = tuple(map(_environ_key, names))
    clean = _DROP not in keys and len(set(keys)) == len(names)
    if len(_LAYOUTS) < _MAX_LAYOUTS:
        _LAYOUTS[names] = keys if clean else None
    return keys if clean else None


def add_headers(
    environ: WSGIEnvironment,
    names: tuple[str, ...],
    values: list[Any],
    nullable: bool,
) -> None:
    """Add request headers (parallel names and values) to `environ`.

    Values are strings, or, when `nullable`, null (read as empty). Several names for
    one key (`Accept` and `accept`, or repeated multi-value entries) are joined as HTTP
    says: with "; " for Cookie, ", " otherwise.
    """
    keys = _LAYOUTS.get(names, _UNSEEN)
    if keys is _UNSEEN:
        keys = _layout_keys(names)
    if keys is not None:
        try:
            ascii_only = "".join(values).isascii()
        except TypeError:  # a null or a wrong type
            ascii_only = False
        if ascii_only:
            # No strict=: every caller builds the two in parallel, and zip parses any
            # keyword at a cost of ~1.5k instructions.
            environ.update(zip(keys, values))  # noqa: B905
            return
    for name, value in zip(names, values, strict=True):
        key = _environ_key(name)
        if key == _DROP:
            continue
        if value is None and nullable:
            value = ""
        elif not isinstance(value, str):
            raise MalformedEventError(
                f"header {name} must be a string, got {type(value).__name__}"
            )
        text = wsgi_text(value)
        if key in environ:
            environ[key] += ("; " if key == "HTTP_COOKIE" else ", ") + text
        else:
            environ[key] = text


def add_event_headers(environ: WSGIEnvironment, event: Json) -> None:
    """The headers of a v1/ALB event: multiValueHeaders if any, else headers, not both.

    REST sends both maps (`headers` holds only the last value of a repeated header), so
    merging them would duplicate every value; ALB sends exactly one of them.
    """
    multi = event.get("multiValueHeaders")
    if multi.__class__ is not dict:
        multi = get_map(event, "multiValueHeaders")  # null is {}, a wrong type raises
    if not multi:
        single = get_map(event, "headers")
        add_headers(environ, tuple(single), list(single.values()), True)
        return
    values = []
    try:
        for items in multi.values():
            if items.__class__ is not list:
                break
            [value] = items  # ValueError unless exactly one value
            values.append(value)
    except ValueError:  # none or several values
        pass
    if len(values) == len(multi):  # every header once, the common case
        add_headers(environ, tuple(multi), values, False)
        return
    names: list[str] = []
    values = []
    for name in multi:
        for value in get_str_list(multi, name):  # null is [], a wrong type raises
            names.append(name)
            values.append(value)
    add_headers(environ, tuple(names), values, False)


def new_environ(
    source: str,
    event: Json,
    context: Any,
    method: str,
    query: str,
    protocol: str,
) -> WSGIEnvironment:
    """The environ without headers, path and body: event text made WSGI text.

    Positional parameters on purpose: a call with keywords costs ~1 us more, and
    this runs on every request.
    """
    environ = _DEFAULTS.copy()  # cheaper than a literal with all the keys
    environ["REQUEST_METHOD"] = method if method.isascii() else wsgi_text(method)
    environ["QUERY_STRING"] = query if query.isascii() else wsgi_text(query)
    environ["SERVER_PROTOCOL"] = (
        protocol if protocol.isascii() else wsgi_text(protocol)
    ) or "HTTP/1.1"
    environ["wsgi.errors"] = sys.stderr  # read each time: the runtime may replace it
    environ[_SOURCE] = source
    environ[_EVENT] = event
    environ[_CONTEXT] = context
    return environ


def finish_environ(
    environ: WSGIEnvironment, event: Json, domain: str, raw_uri: str
) -> WSGIEnvironment:
    """Add the event's body, the raw URI, and what derives from the headers once all
    are in. A missing or null body is empty."""
    text = event.get("body")
    if text.__class__ is not str:
        text = get_str(event, "body")  # null is empty, a wrong type raises
    encoded = event.get("isBase64Encoded")
    if encoded is None or encoded is False:
        body = text.encode("utf-8")
    else:
        body = decode_base64_body(text, encoded)
    environ["wsgi.input"] = io.BytesIO(body)
    environ[_RAW_URI] = raw_uri if raw_uri.isascii() else wsgi_text(raw_uri)
    # REST sends no Content-Length and a base64 body changes length: count the decoded
    # bytes.
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    elif "CONTENT_LENGTH" in environ:
        del environ["CONTENT_LENGTH"]
    host = environ.get("HTTP_HOST")
    if host is None:
        host = wsgi_text(domain)
        if host:
            environ["HTTP_HOST"] = host
    environ["SERVER_NAME"] = (
        host if ":" not in host else _host_name(host)
    ) or "localhost"
    return environ


def mount(
    environ: WSGIEnvironment,
    path: str,
    encoded: bool,
    domain: str,
    stage: str,
    stage_in_path: bool,
    options: Options,
) -> None:
    """Set SCRIPT_NAME and PATH_INFO for `path` (`encoded`: still percent-encoded) of a
    request to `domain` at `stage`.

    SCRIPT_NAME is the custom domain's base path, or the stage on an execute-api
    host; it is stripped from `path` once when the source keeps it there
    (`stage_in_path` for the stage, always for a base path). Remembered per handler: a
    function serves few domains and stages.
    """
    if "%" in path or not path.isascii():  # the common case needs neither
        path = unquote_to_wsgi(path) if encoded else wsgi_text(path)
    key = (domain, stage, stage_in_path)
    point = options.mounts.get(key)
    if point is None:
        point = _mount_point(domain, stage, options, stage_in_path)
        # Bounded: the Host header is the client's.
        if len(options.mounts) < _MAX_MOUNTS:
            options.mounts[key] = point
    prefix, in_path = point
    if not path.startswith("/"):
        path = "/" + path  # PEP 3333: a non-empty PATH_INFO starts with "/"
    if in_path and prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    environ["SCRIPT_NAME"] = prefix
    environ["PATH_INFO"] = path


def _mount_point(
    domain: str, stage: str, options: Options, stage_in_path: bool
) -> tuple[str, bool]:
    # (SCRIPT_NAME, whether the path may carry it)
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


def _host_name(host: str) -> str:
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host
