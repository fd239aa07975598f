"""Event fields read by type: missing or null is empty, a wrong type is malformed.

API Gateway's console tests send nulls where real requests send empty maps; a field
of the wrong type raises MalformedEventError, which the handler answers with a 400.
"""

from __future__ import annotations

from .exceptions import MalformedEventError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .compat import Json


def text(obj: Json, key: str) -> str:
    """`obj[key]` as a string; '' when missing or null."""
    value = obj.get(key)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise MalformedEventError(f"{key} must be a string, got {type(value).__name__}")


def required(obj: Json, key: str, where: str) -> str:
    """`obj[key]` as a non-empty string; `where` names the field in errors."""
    value = obj.get(key)
    if isinstance(value, str) and value:
        return value
    if value is None or isinstance(value, str):
        raise MalformedEventError(f"{where} is empty")
    raise MalformedEventError(f"{where} must be a string, got {type(value).__name__}")


def mapping(obj: Json, key: str) -> Json:
    """`obj[key]` as a JSON object; {} when missing or null."""
    value = obj.get(key)
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    raise MalformedEventError(f"{key} must be an object, got {type(value).__name__}")


def text_list(obj: Json, key: str) -> list[str]:
    """`obj[key]` as a list of strings; [] when missing or null."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        try:
            "".join(value)  # every item a string, checked at C speed
        except TypeError:
            pass
        else:
            return value
    raise MalformedEventError(f"{key} must be a list of strings")


def pairs(
    obj: Json, key: str, multi_key: str = ""
) -> tuple[tuple[str, ...], list[str]]:
    """Parallel names and values of `obj[key]`, a map of strings (null is empty), or
    of `obj[multi_key]`, a map of lists, when it has entries: REST sends both, the
    single-value map keeping only a repeated name's last value; ALB sends one."""
    multi = mapping(obj, multi_key) if multi_key else None
    if multi:
        names: list[str] = []
        values: list[str] = []
        for name, items in multi.items():
            if items is None:
                continue
            if not isinstance(items, list):
                raise MalformedEventError(f"{multi_key} must hold lists of strings")
            for value in items:
                if not isinstance(value, str):
                    raise MalformedEventError(f"{multi_key} must hold lists of strings")
                names.append(name)
                values.append(value)
        return tuple(names), values
    single = mapping(obj, key)
    values = [*single.values()]
    try:
        "".join(values)  # every value a string, checked at C speed: the usual case
    except TypeError:  # nulls read as '', other types raise
        values = [text(single, name) for name in single]
    return tuple(single), values


def lenient(obj: Any, key: str, *nested: str) -> str:
    """An optional string such as `lenient(request_context, "identity", "sourceIp")`,
    else '': identity fields only enrich the environ, so a malformed one is left out."""
    value = obj.get(key) if isinstance(obj, dict) else None
    for key in nested:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""
