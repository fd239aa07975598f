"""Falcon version of the test app."""

from __future__ import annotations

from typing import Any

import falcon


def text(resp: Any, body: str) -> None:
    resp.content_type = "text/plain; charset=utf-8"
    resp.text = body


class Hello:
    def on_get(self, req: Any, resp: Any) -> None:
        text(resp, "hello")


class Url:
    def on_get(self, req: Any, resp: Any) -> None:
        text(resp, f"{req.prefix}/hello")


class Redirect:
    def on_get(self, req: Any, resp: Any) -> None:
        raise falcon.HTTPFound(f"{req.root_path}/hello")


class Cookies:
    def on_get(self, req: Any, resp: Any) -> None:
        text(resp, req.cookies.get("a", ""))
        resp.set_cookie("x", "1")
        resp.set_cookie("y", "2")


class Query:
    def on_get(self, req: Any, resp: Any) -> None:
        text(resp, ",".join(req.get_param_as_list("k") or []))


class Upload:
    def on_post(self, req: Any, resp: Any) -> None:
        for part in req.get_media():
            if part.name == "file":
                text(resp, f"{part.filename}:{len(part.stream.read())}")


class Binary:
    def on_get(self, req: Any, resp: Any) -> None:
        resp.content_type = "application/octet-stream"
        resp.data = bytes(range(256))


class Unicode:
    def on_get(self, req: Any, resp: Any, name: str) -> None:
        text(resp, name)


app = falcon.App()
app.add_route("/hello", Hello())
app.add_route("/url", Url())
app.add_route("/redirect", Redirect())
app.add_route("/cookies", Cookies())
app.add_route("/query", Query())
app.add_route("/upload", Upload())
app.add_route("/binary", Binary())
app.add_route("/unicode/{name}", Unicode())
