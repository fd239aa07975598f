"""Bottle version of the test app (routes registered without decorators, for mypy)."""

from __future__ import annotations

import bottle


def hello() -> str:
    bottle.response.content_type = "text/plain"
    return "hello"


def url() -> str:
    bottle.response.content_type = "text/plain"
    scheme, host = bottle.request.urlparts[:2]
    return f"{scheme}://{host}{app.get_url('hello')}"


def to_hello() -> None:
    bottle.redirect(app.get_url("hello"))


def cookies() -> str:
    bottle.response.content_type = "text/plain"
    bottle.response.set_cookie("x", "1")
    bottle.response.set_cookie("y", "2")
    return str(bottle.request.get_cookie("a", ""))


def query() -> str:
    bottle.response.content_type = "text/plain"
    # Bottle keeps query values as latin-1 "native strings" until decode() (PEP 3333).
    return ",".join(bottle.request.query.decode().getall("k"))


def upload() -> str:
    bottle.response.content_type = "text/plain"
    file = bottle.request.files.get("file")
    return f"{file.raw_filename}:{len(file.file.read())}"


def binary() -> bytes:
    bottle.response.content_type = "application/octet-stream"
    return bytes(range(256))


def unicode(name: str) -> str:
    bottle.response.content_type = "text/plain; charset=utf-8"
    return name


app = bottle.Bottle()
app.route("/hello", "GET", hello, name="hello")
app.route("/url", "GET", url)
app.route("/redirect", "GET", to_hello)
app.route("/cookies", "GET", cookies)
app.route("/query", "GET", query)
app.route("/upload", "POST", upload)
app.route("/binary", "GET", binary)
app.route("/unicode/<name>", "GET", unicode)
