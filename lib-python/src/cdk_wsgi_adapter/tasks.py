"""Background tasks: `@task` registers a module-level function under
`module:qualname`, and `.delay(*args, **kwargs)` queues a run of it with JSON
arguments.

On Lambda (AWS_LAMBDA_FUNCTION_NAME set), `.delay()` invokes the function's own `live`
alias asynchronously (aws.invoke) with the task event `{"source": "cdk-wsgi.task",
"task": name, "args": [...], "kwargs": {...}}` (config.TASK_SOURCE); the construct's
`backgroundTasks` allows that (CDK_WSGI_BACKGROUND_TASKS=1) and sets the retries and
the dead-letter queue. Anywhere else (tests, `cdk-wsgi serve`) the function runs at
once, in this process, with its arguments as Lambda would deliver them (through JSON).

A task event runs only a function registered with `@task`. For a name not registered
yet, its module is imported first, and only a module of the function's own code: a
file under LAMBDA_TASK_ROOT (else the app's folder) that no installed distribution
provides. Like a command, a task event is IAM-only by shape: no front door lets a
client choose an event's top-level keys.

Imported when the app imports `cdk_wsgi_adapter.task`, or when a task event comes.
"""

from __future__ import annotations

import functools
import os
import sys
import time
import types
from typing import Generic, ParamSpec, TypeVar

from .config import (
    APP_VARIABLE,
    ASYNC_PAYLOAD_LIMIT,
    BACKGROUND_TASKS_VARIABLE,
    TASK_ALIAS_NAME,
    TASK_FIELDS,
    TASK_SOURCE,
)
from .exceptions import MalformedEventError
from .job_exceptions import TaskQueueError, UnknownTaskError
from .log import jobs_logger, logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from typing import Any

    from .compat import Json

__all__ = [
    "Task",
    "TaskQueueError",
    "UnknownTaskError",
    "answer_task",
    "code_root",
    "task",
]

P = ParamSpec("P")
R = TypeVar("R")

#: Registered name -> the function `@task` decorated.
_REGISTRY: dict[str, Callable[..., object]] = {}

#: What a task event holds, for the message about one that does not.
EXPECTED_EVENT = (
    f'{{"source": "{TASK_SOURCE}", "{TASK_FIELDS["name"]}": "module:function", '
    f'"{TASK_FIELDS["args"]}": [...], "{TASK_FIELDS["kwargs"]}": {{...}}}}'
)


class Task(Generic[P, R]):
    """A function registered with `@task`: call it as before, or queue a run of it
    with `.delay()`."""

    # Set by functools.update_wrapper, as on the function.
    __name__: str
    __qualname__: str
    __wrapped__: Callable[P, R]

    def __init__(
        self, function: Callable[P, R], name: str, parameters: tuple[str, ...] = ()
    ) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        #: The name the task event carries: `module:qualname`.
        self.name = name
        #: The names of its positional parameters, for messages.
        self.parameters = parameters

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.function(*args, **kwargs)

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> str:
        """Queue a run with these arguments, which must be JSON values.

        On Lambda, an asynchronous invocation of the function's `live` alias; returns
        its request ID, which the task's log lines carry. Elsewhere the task runs now,
        in this process, its exceptions propagating; returns a `local-` ID."""
        return queue(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<task {self.name}>"


def task(function: Callable[P, R]) -> Task[P, R]:
    """Register module-level `function` as a background task: `function.delay(...)`
    then queues a run of it with JSON arguments.

    Raises TypeError for a lambda, a nested function or a method: a task event finds
    its function by module and name."""
    name, parameters = _name_of(function)
    _REGISTRY[name] = function
    return Task(function, name, parameters)


def _name_of(function: object) -> tuple[str, tuple[str, ...]]:
    """The name `function` is registered under, and its positional parameters."""
    if not isinstance(function, types.FunctionType):
        raise TypeError(
            "@task takes a module-level function defined with def, got "
            f"{type(function).__name__} {function!r}"
        )
    qualname = function.__qualname__
    name = f"{function.__module__}:{qualname}"
    if function.__name__ == "<lambda>":
        problem = "is a lambda"
    elif "<locals>" in qualname:
        problem = "is defined inside a function"
    elif "." in qualname:
        problem = "is a method (a task gets its JSON arguments, no instance or class)"
    else:
        code = function.__code__
        return name, code.co_varnames[: code.co_argcount]
    raise TypeError(
        f"@task takes a module-level function, and {name} {problem}: define it with "
        "def at the top level of its module, where the task's invocation finds it "
        "by name"
    )


def queue(
    task: Task[..., Any],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
    environ: Mapping[str, str] = os.environ,
) -> str:
    """What Task.delay does; `environ` normally os.environ."""
    payload = encode(task, args, kwargs)
    function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
    if not function_name:
        return _run_here(payload)
    if environ.get(BACKGROUND_TASKS_VARIABLE) != "1":
        raise RuntimeError(
            f"{task.name}.delay() queues the task on the function's "
            f"'{TASK_ALIAS_NAME}' alias, which this function may not do: turn on the "
            f"construct's `backgroundTasks` prop ({BACKGROUND_TASKS_VARIABLE} is not 1)"
        )
    # hmac and http.client cost a cold start: only here, on the first task queued.
    from .aws.invoke import invoke_async

    request_id = invoke_async(function_name, TASK_ALIAS_NAME, payload, environ)
    jobs_logger().info("task %s queued (request %s)", task.name, request_id)
    return request_id


def encode(
    task: Task[..., Any], args: tuple[object, ...], kwargs: Mapping[str, object]
) -> bytes:
    """The task event running `task` with these arguments, as JSON bytes; raises
    TypeError naming an argument that is not JSON, ValueError when the event is over
    Lambda's limit on an asynchronous invocation's payload."""
    import json  # with `re`: paid when a task is queued, not when the app imports

    for label, value in _labelled(task.parameters, args, kwargs):
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{task.name}.delay(): {label} is a {type(value).__name__}, which is "
                f"not JSON ({exc}); pass JSON values (str, int, float, bool, None, "
                "and lists and dicts of them), such as a record's ID rather than "
                "the record"
            ) from None
    event = {
        "source": TASK_SOURCE,
        TASK_FIELDS["name"]: task.name,
        TASK_FIELDS["args"]: list(args),
        TASK_FIELDS["kwargs"]: dict(kwargs),
    }
    payload = json.dumps(event, allow_nan=False, separators=(",", ":")).encode()
    if len(payload) > ASYNC_PAYLOAD_LIMIT:
        raise ValueError(
            f"{task.name}.delay(): the task event is {len(payload)} bytes, over "
            f"Lambda's limit of {ASYNC_PAYLOAD_LIMIT} bytes for an asynchronous "
            "invocation's payload; pass an ID or an S3 key instead, and load the "
            "data in the task"
        )
    return payload


def _labelled(
    names: tuple[str, ...], args: tuple[object, ...], kwargs: Mapping[str, object]
) -> Iterator[tuple[str, object]]:
    """Each argument with how a message names it: position and parameter name."""
    for index, value in enumerate(args):
        parameter = f" ({names[index]})" if index < len(names) else ""
        yield f"argument {index + 1}{parameter}", value
    for key, value in kwargs.items():
        yield f"keyword argument {key}", value


def _run_here(payload: bytes) -> str:
    import json
    import uuid

    request_id = f"local-{uuid.uuid4()}"
    run_event(json.loads(payload), request_id)
    return request_id


def answer_task(event: Json, context: Any) -> Json:
    """Run the task a task event names, with its arguments; answers `{"task":
    name}`. Raises MalformedEventError for a malformed event, UnknownTaskError for a
    name no function is registered under, and whatever the task raises: each is
    logged and fails the invocation, for Lambda's retries and dead-letter queue."""
    request_id = getattr(context, "aws_request_id", None)
    name = run_event(event, request_id if isinstance(request_id, str) else "unknown")
    return {TASK_FIELDS["name"]: name}


def run_event(event: Json, request_id: str) -> str:
    """Run the task `event` names; its name."""
    name, args, kwargs = _parse(event)
    function = _find(name, request_id)
    log = jobs_logger()
    log.info("task %s started (request %s)", name, request_id)
    start = time.monotonic()
    try:
        function(*args, **kwargs)
    except BaseException:
        logger().exception(
            "task %s failed after %.3f s (request %s)",
            name,
            time.monotonic() - start,
            request_id,
        )
        raise
    log.info(
        "task %s finished in %.3f s (request %s)",
        name,
        time.monotonic() - start,
        request_id,
    )
    return name


def _parse(event: Json) -> tuple[str, list[Any], dict[str, Any]]:
    """(name, args, kwargs) of a well-formed task event; else logs what came and
    what was expected, and raises MalformedEventError."""
    name_key, args_key, kwargs_key = (
        TASK_FIELDS["name"],
        TASK_FIELDS["args"],
        TASK_FIELDS["kwargs"],
    )
    name, args, kwargs = event.get(name_key), event.get(args_key), event.get(kwargs_key)
    extra = sorted(map(str, set(event) - {"source", name_key, args_key, kwargs_key}))
    if extra:
        problem = f"unexpected keys {extra}"
    elif not (isinstance(name, str) and _is_task_name(name)):
        problem = f"{name_key!r} must be 'module:function', got {_short(name)}"
    elif not isinstance(args, list):
        problem = f"{args_key!r} must be a list, got {_short(args)}"
    elif not (isinstance(kwargs, dict) and all(isinstance(k, str) for k in kwargs)):
        problem = f"{kwargs_key!r} must be an object, got {_short(kwargs)}"
    else:
        return name, args, kwargs
    keys = ", ".join(sorted(map(str, event))[:20])
    message = (
        f"malformed task event ({problem}): received keys [{keys}]; expected "
        f"{EXPECTED_EVENT}"
    )
    logger().error("%s", message)
    raise MalformedEventError(message)


def _is_task_name(name: str) -> bool:
    module, colon, function = name.partition(":")
    return (
        bool(colon)
        and function.isidentifier()
        and all(part.isidentifier() for part in module.split("."))
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _find(name: str, request_id: str) -> Callable[..., object]:
    """The function registered under `name`, its module imported first if it is
    the function's own code; else logs and raises UnknownTaskError."""
    function = _REGISTRY.get(name)
    if function is not None:
        return function
    module = name.partition(":")[0]
    import importlib

    try:
        refusal = _refusal(module)
        if refusal is None:
            importlib.import_module(module)
    except Exception:
        logger().exception(
            "task %s (request %s): importing its module %s failed",
            name,
            request_id,
            module,
        )
        raise
    function = _REGISTRY.get(name)
    if function is not None:
        return function
    reason = refusal or f"module {module} registers no function under that name"
    message = (
        f"unknown task {name!r} (request {request_id}): {reason}; registered with "
        f"@task: {_registered()}"
    )
    logger().error("%s", message)
    raise UnknownTaskError(message)


def _registered() -> str:
    names = sorted(_REGISTRY)
    if not names:
        return "none"
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return ", ".join(names[:20]) + more


def _refusal(module: str) -> str | None:
    """Why `module` is not imported for a task event, or None: it must be a file of
    the function's code (code_root), checked package by package before any is
    imported, and not part of an installed distribution (the function's
    dependencies are bundled beside its code)."""
    parts = module.split(".")
    if "__main__" in parts:
        return f"module {module} is a __main__ module, which runs when imported"
    root = code_root()
    for end in range(1, len(parts) + 1):
        # find_spec imports the parent packages, checked in the rounds before.
        problem = _outside(".".join(parts[:end]), root)
        if problem is not None:
            return problem
    top = parts[0]
    if top != _app_module(os.environ).partition(".")[0]:
        from importlib.metadata import packages_distributions

        distributions = packages_distributions().get(top)
        if distributions:
            return (
                f"module {module} is part of the installed distribution "
                f"{distributions[0]}, not of the function's own code"
            )
    return None


def _outside(name: str, root: str) -> str | None:
    import importlib.util

    module = sys.modules.get(name)
    try:
        spec = module.__spec__ if module is not None else importlib.util.find_spec(name)
    except ModuleNotFoundError as exc:
        return f"module {name} is not found ({exc})"
    if spec is None:
        return f"module {name} is not found"
    # A namespace package has no file, only folders.
    places = (
        [spec.origin]
        if spec.has_location and spec.origin
        else list(spec.submodule_search_locations or ())
    )
    if not places:
        return f"module {name} is not a file of the function's code ({spec.origin})"
    for place in places:
        path = os.path.realpath(place)
        if os.path.commonpath([path, root]) != root:
            return f"module {name} is at {path}, outside the function's code ({root})"
    return None


def code_root(environ: Mapping[str, str] = os.environ) -> str:
    """The folder of the function's code: LAMBDA_TASK_ROOT on Lambda, else the
    folder the app (CDK_WSGI_APP) was imported from, else the working directory."""
    root = environ.get("LAMBDA_TASK_ROOT") or _app_folder(environ) or os.getcwd()
    return os.path.realpath(root)


def _app_module(environ: Mapping[str, str]) -> str:
    return environ.get(APP_VARIABLE, "").partition(":")[0].strip()


def _app_folder(environ: Mapping[str, str]) -> str | None:
    """The folder on sys.path the app's module came from: `pkg.wsgi` in
    /code/pkg/wsgi.py, or `pkg` in /code/pkg/__init__.py, came from /code."""
    name = _app_module(environ)
    path = getattr(sys.modules.get(name), "__file__", None)
    if not (name and isinstance(path, str)):
        return None
    levels = name.count(".") + (
        2 if os.path.basename(path).startswith("__init__.") else 1
    )
    for _ in range(levels):
        path = os.path.dirname(path)
    return path
