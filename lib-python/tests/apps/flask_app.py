"""Flask version of the test app."""

from __future__ import annotations

from flask import Flask, Response, make_response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

app = Flask(__name__)


def text(body: str) -> Response:
    return Response(body, mimetype="text/plain")


@app.get("/hello")
def hello() -> Response:
    return text("hello")


@app.get("/url")
def url() -> Response:
    return text(url_for("hello", _external=True))


@app.get("/redirect")
def to_hello() -> BaseResponse:
    return redirect(url_for("hello"))


@app.get("/cookies")
def cookies() -> Response:
    response = make_response(text(request.cookies.get("a", "")))
    response.set_cookie("x", "1")
    response.set_cookie("y", "2")
    return response


@app.get("/query")
def query() -> Response:
    return text(",".join(request.args.getlist("k")))


@app.post("/upload")
def upload() -> Response:
    file = request.files["file"]
    return text(f"{file.filename}:{len(file.read())}")


@app.get("/binary")
def binary() -> Response:
    return Response(bytes(range(256)), mimetype="application/octet-stream")


@app.get("/unicode/<name>")
def unicode(name: str) -> Response:
    return text(name)
