"""The PEP 3333 environ: what every source fills in the same way."""

from __future__ import annotations

import io
import sys

from . import fields
from .body import request_body

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .compat import Json, WSGIEnvironment
    from .config import Options

#: Namespace of the adapter's own environ keys (PEP 3333 extension keys).
ENVIRON_PREFIX = "cdk_wsgi."
_SOURCE, _EVENT, _CONTEXT, _RAW_URI = (
    ENVIRON_PREFIX + name for name in ("source", "event", "context", "raw_uri")
)

#: Header name -> its environ key ("" when dropped). Browsers and clients send the
#: same few names on every request, and a remembered key costs a fraction of one
#: built afresh. Bounded, since clients choose the names.
_KEYS: dict[str, str] = {}
_MAX_KEYS = 512

#: API Gateway and Function URLs serve HTTPS only; ALB corrects scheme and port.
_CONSTANTS = {
    "SERVER_PORT": "443",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "https",
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def wsgi_text(value: str) -> str:
    """PEP 3333 "bytes as latin-1 text": the UTF-8 bytes of `value`, read as latin-1."""
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


def new_environ(
    source: str, event: Json, context: Any, method: str, query: str, protocol: Any
) -> WSGIEnvironment:
    """The environ of a request, before its headers, path and body; `protocol` is
    optional, as the event's field is."""
    environ = _CONSTANTS.copy()
    # isascii() first: these are nearly always ASCII, and the three calls to wsgi_text
    # saved keep a small JSON POST through an HTTP API within the performance contract
    # on Python 3.14 (bench/README.md).
    environ["REQUEST_METHOD"] = method if method.isascii() else wsgi_text(method)
    environ["QUERY_STRING"] = query if query.isascii() else wsgi_text(query)
    if not (isinstance(protocol, str) and protocol):
        protocol = "HTTP/1.1"
    environ["SERVER_PROTOCOL"] = protocol if protocol.isascii() else wsgi_text(protocol)
    environ["wsgi.errors"] = sys.stderr  # read each time: the runtime may replace it
    environ[_SOURCE] = source
    environ[_EVENT] = event
    environ[_CONTEXT] = context
    return environ


def add_headers(
    environ: WSGIEnvironment,
    event: Json,
    key: str,
    multi_key: str = "",
    cookie: str | None = None,
) -> None:
    """Add the request headers: `event[multi_key]`, a map of lists, when it has
    entries, else `event[key]`, a map of strings (null reads as empty). REST sends
    both maps, the single-value one keeping only a repeated name's last value; ALB
    sends one. `cookie` (payload 2.0's `cookies`, joined) replaces any Cookie header.

    Several values for one key (`Accept` and `accept`, or repeated entries) are joined
    as HTTP says: with "; " for Cookie, ", " otherwise. An event's map cannot say in
    what order differently spelled lines of one header arrived, and a map's order is
    no evidence: spellings are joined in code point order, whatever the event's order,
    so the all-lowercase one (which HTTP APIs and ALB send) comes last; the values of
    one spelling keep theirs."""
    multi = fields.mapping(event, multi_key) if multi_key else None
    headers = multi or fields.mapping(event, key)
    # Nearly every request has one ASCII value per name and a key of its own for each
    # (browsers never repeat a header API Gateway or ALB would deliver as a list): one
    # pass straight into the environ. Anything else (a null, another type, a dropped
    # name, spellings sharing a key, non-ASCII text) takes the general rules after it.
    size, keys = len(environ), _KEYS
    usual = True
    try:
        if multi:
            values: list[Any] = []
            for name, items in headers.items():
                if type(items) is not list:
                    usual = False
                    break
                [value] = items  # ValueError unless exactly one
                values.append(value)
                environ[keys.get(name) or _environ_key(name)] = value
        else:
            values = [*headers.values()]
            for name, value in headers.items():
                environ[keys.get(name) or _environ_key(name)] = value
        # join() fails on a value that is not a string, at C speed.
        usual = usual and "".join(values).isascii()
    except (TypeError, ValueError):
        usual = False
    if not (usual and len(environ) == size + len(headers) and "" not in environ):
        environ.pop("", None)
        environ.update(_joined_per_key(event, key, multi_key, cookie is not None))
    if cookie is not None:
        environ["HTTP_COOKIE"] = cookie if cookie.isascii() else wsgi_text(cookie)


def _joined_per_key(
    event: Json, key: str, multi_key: str, drop_cookie: bool
) -> dict[str, str]:
    found: dict[str, str] = {}
    # A stable sort: repeated entries of one spelling stay in order.
    names, values = fields.pairs(event, key, multi_key)
    pairs = sorted(zip(names, values, strict=True), key=lambda pair: pair[0])
    for name, value in pairs:
        environ_key = _environ_key(name)
        if not environ_key or (drop_cookie and environ_key == "HTTP_COOKIE"):
            continue
        value = wsgi_text(value)
        if environ_key in found:
            found[environ_key] += (
                "; " if environ_key == "HTTP_COOKIE" else ", "
            ) + value
        else:
            found[environ_key] = value
    return found


def _environ_key(name: str) -> str:
    key = _KEYS.get(name)
    if key is None:
        # Names spelled with "_" would pass for their "-" twins once normalised
        # (X_Forwarded_For for X-Forwarded-For): dropped (""), as nginx and gunicorn do.
        if "_" in name:
            key = ""
        else:
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
        if len(_KEYS) < _MAX_KEYS:
            _KEYS[name] = key
    return key


def set_path(
    environ: WSGIEnvironment,
    path: str,
    domain: str,
    stage: Any,
    options: Options,
    *,
    stage_in_path: bool,
) -> None:
    """Set SCRIPT_NAME and PATH_INFO for `path` (WSGI text) of a request to `domain`.

    SCRIPT_NAME is the custom domain's base path, or the `stage` (optional, as in the
    event) on an execute-api host, unless `$default`. REST keeps a base path in the
    path and HTTP APIs drop it, so it is stripped where present; the stage, where the
    source puts it in the path (`stage_in_path`)."""
    base_paths = options.base_paths
    base = base_paths.get(host_name(domain).lower()) if base_paths else None
    if base is not None:
        script_name, strip = wsgi_text("/" + base if base else ""), True
    elif (
        isinstance(stage, str)
        and stage
        and stage != "$default"
        and is_execute_api(domain)
    ):
        script_name, strip = wsgi_text("/" + stage), stage_in_path
    else:
        script_name, strip = "", False
    if not path.startswith("/"):
        path = "/" + path  # PEP 3333: a non-empty PATH_INFO starts with "/"
    if (
        strip
        and script_name
        and (path == script_name or path.startswith(script_name + "/"))
    ):
        path = path[len(script_name) :]
    environ["SCRIPT_NAME"] = script_name
    environ["PATH_INFO"] = path


def finish_environ(
    environ: WSGIEnvironment, event: Json, domain: str, raw_uri: str
) -> WSGIEnvironment:
    """Add the body, the raw URI, and what derives from the headers once all are in."""
    body = request_body(event)
    environ["wsgi.input"] = io.BytesIO(body)
    environ[_RAW_URI] = raw_uri if raw_uri.isascii() else wsgi_text(raw_uri)
    # REST sends no Content-Length, and base64 changes the length: count the bytes.
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        environ.pop("CONTENT_LENGTH", None)
    host = environ.get("HTTP_HOST")
    if host is None:
        host = wsgi_text(domain)
        if host:
            environ["HTTP_HOST"] = host
    # Only a port makes host_name's work worth its call: API Gateway's Host has none,
    # and a small JSON POST through an HTTP API needs the call saved (bench/README.md).
    environ["SERVER_NAME"] = (host_name(host) if ":" in host else host) or "localhost"
    return environ


def is_execute_api(domain: str) -> bool:
    """Whether `domain` is an API's own `<id>.execute-api.<region>.<suffix>` host,
    where the stage is part of the URL."""
    return ".execute-api." in domain.lower()


def host_name(host: str) -> str:
    """`host` without a `:port` suffix."""
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host
