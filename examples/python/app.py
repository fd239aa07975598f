"""The Python quick start: the same Flask app as the TypeScript example, defined from a Python CDK app."""

import os

from aws_cdk import App, Stack
from cdk_wsgi import ApiType, WsgiApi

HERE = os.path.dirname(os.path.abspath(__file__))

# The default bundling mode builds Flask in Docker when a container engine answers, otherwise locally with pip.
app = App()
stack = Stack(app, "CdkWsgiPythonExample")
WsgiApi(
    stack,
    "App",
    entry=os.path.join(HERE, "..", "flask-app"),  # required: the app and its requirements.txt
    module="api.app",  # required: the WSGI callable `app` in api.py
    api_type=ApiType.HTTP,  # optional, defaults to ApiType.REST
)
app.synth()
