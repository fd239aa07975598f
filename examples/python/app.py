"""The Python quick start: the same Flask app as the TypeScript example, defined from a Python CDK app."""

import os
import shutil
import subprocess
import sys

from aws_cdk import App, Stack
from cdk_wsgi import ApiType, WsgiApi

HERE = os.path.dirname(os.path.abspath(__file__))


def docker_answers() -> bool:
    docker = shutil.which("docker")
    return docker is not None and subprocess.run([docker, "info"], capture_output=True, timeout=20).returncode == 0


# Without a Docker engine, skip dependency bundling: complete templates, function assets not deployable.
if docker_answers():
    app = App()
else:
    print("cdk-wsgi example: no Docker engine answered, so Python dependency bundling was SKIPPED;", file=sys.stderr)
    print("  the templates and the adapter layer are complete, the function asset lacks Flask.", file=sys.stderr)
    app = App(post_cli_context={"aws:cdk:bundling-stacks": []})
stack = Stack(app, "CdkWsgiPythonExample")
WsgiApi(
    stack,
    "App",
    entry=os.path.join(HERE, "..", "flask-app"),  # required: the app and its requirements.txt
    module="api.app",  # required: the WSGI callable `app` in api.py
    api_type=ApiType.HTTP,  # optional, defaults to ApiType.REST
)
app.synth()
