"""A Flask app with a CLI command of its own, for the `flask` management command."""

from __future__ import annotations

import click
from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.post("/echo")
def echo() -> str:
    from flask import request

    return request.get_data(as_text=True)


@app.cli.command("greet")
@click.argument("name")
@click.option("--exit-code", type=int, default=0, help="Exit with this status.")
def greet(name: str, exit_code: int) -> None:
    """Greet NAME on stdout, then complain on stderr."""
    click.echo(f"hello {name}")
    click.echo("complaint", err=True)
    raise SystemExit(exit_code)


@app.cli.command("nap")
@click.argument("seconds", type=float)
def nap(seconds: float) -> None:
    """Say so, then sleep SECONDS."""
    import time

    click.echo("napping")
    time.sleep(seconds)
    click.echo("awake")
