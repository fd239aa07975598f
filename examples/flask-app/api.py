"""A small Flask app showing what cdk-wsgi carries: URLs under the stage, cookies, forms, JSON and binary."""

from __future__ import annotations

import base64

from flask import Flask, jsonify, make_response, redirect, request, url_for

app = Flask(__name__)

# A 1x1 transparent PNG: a binary response that must reach the client byte for byte.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@app.get("/")
def index():
    visits = int(request.cookies.get("visits", "0")) + 1
    response = make_response(
        f"""<!doctype html>
<title>cdk-wsgi example</title>
<h1>Hello from Flask on AWS Lambda</h1>
<p>Visit number {visits}. This page lives at <code>{url_for("index", _external=True)}</code>.</p>
<ul>
  <li><a href="{url_for("echo", greeting="hi", tag=["a", "b"])}">JSON echo of the request</a></li>
  <li><a href="{url_for("pixel")}">a binary PNG</a></li>
  <li><a href="{url_for("old")}">a redirect</a></li>
</ul>
<form method="post" action="{url_for("upload")}" enctype="multipart/form-data">
  <input type="file" name="file"> <button>Upload</button>
</form>
"""
    )
    response.set_cookie("visits", str(visits), secure=True, httponly=True, samesite="Lax")
    return response


@app.route("/echo", methods=["GET", "POST"])
def echo():
    return jsonify(
        method=request.method,
        path=request.path,
        script_root=request.script_root,
        args=request.args.to_dict(flat=False),
        body=request.get_data(as_text=True),
        remote_addr=request.remote_addr,
        url=request.url,
    )


@app.post("/upload")
def upload():
    uploaded = request.files.get("file")
    if uploaded is None:
        return jsonify(error="send a multipart form with a 'file' field"), 400
    data = uploaded.read()
    return jsonify(filename=uploaded.filename, size=len(data))


@app.get("/pixel.png")
def pixel():
    return app.response_class(PIXEL, mimetype="image/png")


@app.get("/old")
def old():
    return redirect(url_for("index"))
