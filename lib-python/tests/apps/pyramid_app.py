"""Pyramid version of the test app."""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPFound
from pyramid.request import Request
from pyramid.response import Response


def text(body: str) -> Response:
    return Response(body, content_type="text/plain", charset="utf-8")


def hello(request: Request) -> Response:
    return text("hello")


def url(request: Request) -> Response:
    return text(request.route_url("hello"))


def to_hello(request: Request) -> Response:
    return HTTPFound(location=request.route_url("hello"))


def cookies(request: Request) -> Response:
    response = text(request.cookies.get("a", ""))
    response.set_cookie("x", "1")
    response.set_cookie("y", "2")
    return response


def query(request: Request) -> Response:
    return text(",".join(request.GET.getall("k")))


def upload(request: Request) -> Response:
    file = request.POST["file"]
    return text(f"{file.filename}:{len(file.file.read())}")


def binary(request: Request) -> Response:
    return Response(bytes(range(256)), content_type="application/octet-stream")


def unicode(request: Request) -> Response:
    return text(request.matchdict["name"])


ROUTES = {
    "hello": ("/hello", hello),
    "url": ("/url", url),
    "redirect": ("/redirect", to_hello),
    "cookies": ("/cookies", cookies),
    "query": ("/query", query),
    "upload": ("/upload", upload),
    "binary": ("/binary", binary),
    "unicode": ("/unicode/{name}", unicode),
}

with Configurator() as config:
    for name, (pattern, view) in ROUTES.items():
        config.add_route(name, pattern)
        config.add_view(view, route_name=name)
    app = config.make_wsgi_app()
