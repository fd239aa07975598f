"""WSGI type aliases, for annotations only (nothing here is imported at run time)."""

from __future__ import annotations

# A plain constant instead of typing.TYPE_CHECKING keeps `typing` (~10 ms) out of the
# cold import; mypy and ruff treat any name spelled TYPE_CHECKING the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    #: A Lambda event or response payload: decoded JSON.
    Json: TypeAlias = dict[str, Any]

__all__ = ["Json", "StartResponse", "WSGIApplication", "WSGIEnvironment"]
