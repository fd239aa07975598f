"""Management commands: Python code, shell commands, Django's manage.py and the Flask
CLI, run inside the function, where the app is imported and its settings loaded.

The `cdk-wsgi exec | command | manage | flask` CLI invokes the function's `manage`
alias (config.MANAGE_ALIAS_NAME) with IAM credentials and `{"source":
"cdk-wsgi.command", "kind": ..., ...}` (config.COMMAND_SOURCE); deploy tasks invoke a
new version by its number. Through any other qualifier a command is refused, so that
the right to invoke `live`, which front doors and the app's callers hold, is never the
right to run code. API Gateway, Function URLs and ALB build their events themselves and
never give a client a top-level key, so no HTTP request gets here. Each command is
logged before it runs. Imported only when a command arrives: HTTP requests never pay
for this module.

The answer carries the exit status and the output chunks, each tagged with its stream,
in the order written, bounded to fit Lambda's response limit (Output).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import os
import selectors
import signal
import subprocess
import sys
import time
import traceback
import types
from collections import deque

from .config import (
    COMMAND_FIELDS,
    COMMAND_KINDS,
    MANAGE_ALIAS_NAME,
    MANAGEMENT_VARIABLE,
)
from .deadline import Alarm
from .exceptions import DeadlineExceeded
from .invocation import invoked_qualifier
from .log import LOGGER_NAME, logger
from .sources.base import LAMBDA_RESPONSE_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable
    from typing import Any

    from _typeshed import ReadableBuffer

    from .compat import Json, WSGIApplication

#: Exit statuses the adapter answers with itself, as shells and coreutils use them.
EXIT_USAGE = 2  # a malformed command event (argparse's usage errors)
EXIT_TIMED_OUT = 124  # coreutils `timeout`
EXIT_REFUSED = 126  # "found but cannot be run": off, or not through `manage`
EXIT_CANNOT_RUN = 127  # /bin/sh could not be started

#: The answer's JSON stays this far under Lambda's limit: room for its keys, the exit
#: code and the note saying what was cut.
MARGIN = 64 * 1024
#: JSON characters of output kept from the start, when there is too much.
HEAD_LIMIT = 1024 * 1024
#: JSON characters of output kept from the end: the rest. The end (a migration's
#: outcome, the traceback) matters most.
TAIL_LIMIT = LAMBDA_RESPONSE_LIMIT - MARGIN - HEAD_LIMIT

#: What a command leaves of the function's remaining time, to send the answer.
RESERVE_MILLIS = 1000
#: The time a command gets when the context cannot tell: Lambda's longest timeout.
DEFAULT_MILLIS = 900_000
#: After the shell exits, how long background jobs holding its pipes are read from.
EXIT_GRACE_SECONDS = 0.5
#: After the command's processes are killed, how long their last output is read.
DRAIN_SECONDS = 0.2
#: How often the pipe reader checks whether the shell has exited.
POLL_SECONDS = 0.1
_READ_SIZE = 65536

_OFF_MESSAGE = (
    "management commands are turned off for this function (managementCommands: false)\n"
)

#: The logger of the record each command leaves before it runs.
AUDIT_LOGGER_NAME = LOGGER_NAME + ".audit"
#: Characters of a command's text (JSON) the record keeps.
AUDIT_TEXT_LIMIT = 2000


def answer_command(event: Json, context: Any, app: WSGIApplication) -> Json:
    """Run the command `event` names and answer with its exit code and output; never
    raises for a command turned off, malformed or failing."""
    if os.environ.get(MANAGEMENT_VARIABLE) == "0":
        logger().warning(
            "management command refused: %s is 0 (managementCommands: false)",
            MANAGEMENT_VARIABLE,
        )
        return _answer(EXIT_REFUSED, [["stderr", _OFF_MESSAGE]], truncated=False)
    qualifier = invoked_qualifier(context)
    if not accepts(qualifier):
        via = _describe(context, qualifier)
        logger().warning(
            "management command refused: invoked through %s, not the %s alias or a "
            "numbered version",
            via,
            MANAGE_ALIAS_NAME,
        )
        return _answer(EXIT_REFUSED, [["stderr", _refusal(via)]])
    kind, argument, problem = _parse(event)
    if problem:
        logger().error("malformed management command: %s", problem)
        return _answer(EXIT_USAGE, [["stderr", f"cdk-wsgi: error: {problem}\n"]])
    _audit(kind, argument, qualifier)
    output = Output()
    start = time.monotonic()
    deadline = _deadline(context, start)
    if kind == "shell":
        code = run_shell(argument, deadline, output)
    else:
        argv, target = _TARGETS[kind](argument, app)
        code = run_in_process(argv, target, output, deadline)
    logger().info(
        "management command (%s) exited with %d after %.1f s%s",
        kind,
        code,
        time.monotonic() - start,
        ", its output cut to fit the response" if output.cut else "",
    )
    return _answer(code, output.chunks(), truncated=bool(output.cut))


def _answer(code: int, output: list[list[str]], *, truncated: bool = False) -> Json:
    return {"exitCode": code, "output": output, "truncated": truncated}


def accepts(qualifier: str | None) -> bool:
    """Whether a command invoked through `qualifier` may run: the manage alias, or a
    numbered version (deploy tasks run in a new version before any alias points to
    it). Not `live`, `$LATEST`, the unqualified function or any other alias."""
    return qualifier == MANAGE_ALIAS_NAME or (
        qualifier is not None and qualifier.isascii() and qualifier.isdigit()
    )


def _describe(context: Any, qualifier: str | None) -> str:
    if qualifier is not None:
        return repr(qualifier)
    if isinstance(getattr(context, "invoked_function_arn", None), str):
        return "the unqualified function"
    return "no invoked function ARN"


def _refusal(via: str) -> str:
    alias = MANAGE_ALIAS_NAME
    return (
        f"cdk-wsgi: management commands run only through the function's '{alias}' "
        f"alias or a numbered version, and this one came through {via}; invoke the "
        f"'{alias}' alias, which api.grantManage() grants (the cdk-wsgi CLI does)\n"
    )


def _audit(kind: str, argument: Any, qualifier: str | None) -> None:
    """Log what is about to run, bounded: the function's log is the record of who
    could have done what (CloudTrail has the caller, not the command)."""
    text = json.dumps(argument, ensure_ascii=False)
    if len(text) > AUDIT_TEXT_LIMIT:
        cut = len(text) - AUDIT_TEXT_LIMIT
        text = f"{text[:AUDIT_TEXT_LIMIT]}... [{cut} more characters not logged]"
    audit_logger().info("management command (%s) through %r: %s", kind, qualifier, text)


def audit_logger() -> logging.Logger:
    """The audit logger, at INFO unless the function sets an application log level.

    Lambda's Python runtime sets the root logger's level only from
    AWS_LAMBDA_LOG_LEVEL, which Lambda sets with an application log level (JSON logs
    only: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html;
    awslambdaric's bootstrap._setup_logging). Without one the root stays at
    Python's WARNING and INFO records are dropped: the record would be lost. A level
    the function chose, or one set on this logger, is kept."""
    import logging

    audit = logging.getLogger(AUDIT_LOGGER_NAME)
    if audit.level == logging.NOTSET and not os.environ.get("AWS_LAMBDA_LOG_LEVEL"):
        audit.setLevel(logging.INFO)
    return audit


def _parse(event: Json) -> tuple[str, Any, str]:
    """(kind, its command, '') for a well-formed command event, else ('', None,
    the problem)."""
    kind = event.get("kind")
    if not (isinstance(kind, str) and kind in COMMAND_KINDS):
        expected = ", ".join(COMMAND_KINDS)
        return "", None, f"kind must be one of {expected}; got {_short(kind)}"
    field = COMMAND_FIELDS[kind]
    value = event.get(field)
    if field == "args":
        if isinstance(value, list) and all(isinstance(arg, str) for arg in value):
            return kind, value, ""
        expected = "a list of strings"
    elif not isinstance(value, str):
        expected = "a string"
    elif kind == "shell" and "\0" in value:  # no process takes it as an argument
        expected = "a string without NUL characters"
    else:
        return kind, value, ""
    return "", None, f"{kind} needs {field!r}, {expected}; got {_short(value)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _deadline(context: Any, start: float) -> float:
    """When a command must stop for the answer to get back in time."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    millis = remaining() if callable(remaining) else DEFAULT_MILLIS
    return start + max(0, millis - RESERVE_MILLIS) / 1000


class Output:
    """Output chunks in the order written, bounded so that the answer fits Lambda's
    response limit.

    Sizes are JSON characters (json.dumps, ASCII-escaped: never fewer than the UTF-8
    bytes Lambda sends), counted once per write. The first `head_limit` are kept; after
    them, only the last `tail_limit`, the middle being dropped and counted in `cut`
    (UTF-8 bytes). Escaping is per character, so sizes add up across pieces and one
    character costs at least 1: these bound every split without measuring twice.
    """

    #: A chunk's JSON around its text: `["stdout", ""], ` ("stderr" is as long).
    CHUNK = 16
    #: Consecutive writes to one stream are joined up to this size, which bounds the
    #: pieces kept for a flood of tiny writes.
    JOIN = 4096

    def __init__(
        self, head_limit: int = HEAD_LIMIT, tail_limit: int = TAIL_LIMIT
    ) -> None:
        self.head_limit = head_limit
        self.tail_limit = tail_limit
        #: Trimmed this far below tail_limit, so that a flood of writes trims rarely.
        self.slack = min(tail_limit // 4, 64 * 1024)
        #: UTF-8 bytes of output dropped from the middle.
        self.cut = 0
        self._head: list[tuple[str, list[str]]] = []
        self._head_size = 0
        self._head_open = True
        #: [stream, text, size] pieces; consecutive ones of a stream are one chunk.
        self._tail: deque[list[Any]] = deque()
        self._tail_size = 0

    def write(self, stream: str, text: str) -> None:
        """Add `text` written to `stream` ("stdout" or "stderr")."""
        if not text:
            return
        if self._head_open:
            same = bool(self._head) and self._head[-1][0] == stream
            room = self.head_limit - self._head_size - (0 if same else self.CHUNK)
            keep, size = _fit(text, room)
            if keep:
                if same:
                    self._head[-1][1].append(text[:keep])
                else:
                    self._head.append((stream, [text[:keep]]))
                self._head_size += size + (0 if same else self.CHUNK)
            if keep == len(text):
                return
            self._head_open = False
            text = text[keep:]
        if len(text) > self.tail_limit:  # only its end can be kept: measure only that
            self.cut += _utf8_size(text[: -self.tail_limit])
            text = text[-self.tail_limit :]
        self._add_to_tail(stream, text)

    def _add_to_tail(self, stream: str, text: str) -> None:
        size = _size(text)
        tail = self._tail
        if tail and tail[-1][0] == stream:
            last = tail[-1]
            if last[2] < self.JOIN:
                last[1] += text
                last[2] += size
            else:
                tail.append([stream, text, size])
            self._tail_size += size
        else:
            tail.append([stream, text, size])
            self._tail_size += size + self.CHUNK
        if self._tail_size > self.tail_limit:
            self._trim(self.tail_limit - self.slack)

    def _trim(self, target: int) -> None:
        tail = self._tail
        while self._tail_size > target:
            first = tail[0]
            stream, text, size = first
            excess = self._tail_size - target
            keep, kept = (
                _fit(text, size - excess, end=True) if excess < size else (0, 0)
            )
            self.cut += _utf8_size(text[: len(text) - keep])
            if keep:
                first[1], first[2] = text[len(text) - keep :], kept
                self._tail_size -= size - kept
            else:
                tail.popleft()
                self._tail_size -= size
                if not tail or tail[0][0] != stream:  # its chunk is gone too
                    self._tail_size -= self.CHUNK

    def chunks(self) -> list[list[str]]:
        """[[stream, text], ...] in the order written, consecutive writes to one
        stream joined; with a stderr note where output was cut."""
        head = [(stream, "".join(parts)) for stream, parts in self._head]
        tail = [(stream, text) for stream, text, _ in self._tail]
        if not self.cut:
            return _joined(head + tail)
        note = (
            f"\n[cdk-wsgi: {self.cut} bytes of output cut here, to fit Lambda's "
            f"{LAMBDA_RESPONSE_LIMIT // 1024 // 1024} MB response limit]\n"
        )
        return [*_joined(head), ["stderr", note], *_joined(tail)]


def _fit(text: str, room: int, *, end: bool = False) -> tuple[int, int]:
    """(n, size): n characters from the start (or `end`) of `text`, as many as fit in
    `room` or nearly, and their size. A character costs at least 1, so at most `room`
    are measured, then fewer in proportion until they fit; dropping as many characters
    as the size is over always does."""
    room = max(0, room)
    count = min(len(text), room)
    while True:
        size = _size(text[len(text) - count :] if end else text[:count])
        if size <= room:
            return count, size
        over = size - room
        count = max(count - over, min(count * room // size, count - 1))


def _size(text: str) -> int:
    return len(json.dumps(text)) - 2  # without the quotes: Output.CHUNK counts them


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _joined(pieces: list[tuple[str, str]]) -> list[list[str]]:
    runs: list[tuple[str, list[str]]] = []
    for stream, text in pieces:
        if runs and runs[-1][0] == stream:
            runs[-1][1].append(text)
        else:
            runs.append((stream, [text]))
    return [[stream, "".join(parts)] for stream, parts in runs]


def run_shell(command: str, deadline: float, output: Output) -> int:
    """Run `command` with /bin/sh -c in the task root, with the function's environment,
    reading its output as it comes until it ends or `deadline` (time.monotonic());
    its exit status, 128 + N when killed by signal N, or EXIT_TIMED_OUT."""
    start = time.monotonic()
    try:
        process = subprocess.Popen(
            ["/bin/sh", "-c", command],
            # Lambda starts the runtime in its task root, from which the app was
            # imported; elsewhere (cdk-wsgi serve) the working directory is that folder.
            cwd=os.environ.get("LAMBDA_TASK_ROOT") or None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Its own process group: at the deadline, its children are stopped too.
            start_new_session=True,
        )
    except (OSError, ValueError) as exc:  # no /bin/sh or task root; unencodable text
        output.write("stderr", f"cdk-wsgi: cannot run /bin/sh: {exc}\n")
        return EXIT_CANNOT_RUN
    decoders: dict[str, codecs.IncrementalDecoder] = {
        name: codecs.getincrementaldecoder("utf-8")("replace")
        for name in ("stdout", "stderr")
    }
    # Leaving `with` closes the pipes and reaps the shell.
    with process, selectors.DefaultSelector() as selector:
        assert process.stdout is not None and process.stderr is not None  # PIPE
        selector.register(process.stdout, selectors.EVENT_READ, "stdout")
        selector.register(process.stderr, selectors.EVENT_READ, "stderr")
        finished = _pump(process, selector, decoders, output, deadline)
        # What is left of the group: the shell at the deadline, or background jobs
        # outliving it (its id stays taken while a member lives); then the shell, in
        # case it left the group (a no-op once it has been reaped).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.kill()
        _pump(process, selector, decoders, output, time.monotonic() + DRAIN_SECONDS)
    status = process.returncode
    for name, decoder in decoders.items():
        output.write(name, decoder.decode(b"", final=True))
    if not finished:
        output.write("stderr", _stopped(time.monotonic() - start))
        return EXIT_TIMED_OUT
    return 128 - status if status < 0 else status


def _stopped(seconds: float) -> str:
    return (
        f"\ncdk-wsgi: stopped the command after {seconds:.1f} s, "
        "as the function was about to time out\n"
    )


def _pump(
    process: subprocess.Popen[bytes],
    selector: selectors.BaseSelector,
    decoders: dict[str, codecs.IncrementalDecoder],
    output: Output,
    deadline: float,
) -> bool:
    """Copy the pipes' output to `output` until the shell has exited and its pipes are
    closed (True), or `deadline` passes (False). Background jobs holding the pipes
    after the shell exited get EXIT_GRACE_SECONDS more."""
    exited_at = None
    while True:
        now = time.monotonic()
        if process.poll() is not None:
            exited_at = now if exited_at is None else exited_at
            if not selector.get_map() or now - exited_at >= EXIT_GRACE_SECONDS:
                return True
        if now >= deadline:
            return False
        if not selector.get_map():  # the shell closed its pipes, and may run on
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(deadline - now)
            continue
        for key, _ in selector.select(min(deadline - now, POLL_SECONDS)):
            data = os.read(key.fd, _READ_SIZE)
            if data:
                output.write(key.data, decoders[key.data].decode(data))
            else:
                selector.unregister(key.fileobj)


def run_in_process(
    argv: list[str],
    target: Callable[[], object],
    output: Output,
    deadline: float,
) -> int:
    """Call `target` with sys.stdout and sys.stderr writing to `output`, stdin empty,
    sys.argv set to `argv`; its exit status as Python's would be. The environment
    variables are restored afterwards, as a command in its own process leaves them.

    In the main thread, where Lambda calls the handler, the command is interrupted
    at `deadline` (time.monotonic()) and answered with EXIT_TIMED_OUT and the output
    it wrote so far, which Lambda's own timeout would lose."""
    start = time.monotonic()
    alarm = Alarm()
    stdout = _Writer(output, "stdout", sys.stdout, alarm)
    stderr = _Writer(output, "stderr", sys.stderr, alarm)
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv
    environ = os.environ.copy()
    stopped = False
    with open(os.devnull, encoding="utf-8") as stdin:
        # Before the command starts: click and Django look the streams up as they go.
        sys.stdin, sys.stdout, sys.stderr, sys.argv = stdin, stdout, stderr, argv
        try:
            alarm.run(deadline - start, target)
            code = 0
        except DeadlineExceeded:
            code, stopped = EXIT_TIMED_OUT, True
        except SystemExit as exc:
            code = _exit_status(exc.code, stderr)
        except BaseException as exc:
            # As Python prints an uncaught exception: from its first frame not here.
            tb, ours = exc.__traceback__, _ADAPTER_FILES
            while tb is not None and tb.tb_frame.f_code.co_filename in ours:
                tb = tb.tb_next
            traceback.print_exception(type(exc), exc, tb, file=stderr)
            code = 1
        finally:
            sys.stdin, sys.stdout, sys.stderr, sys.argv = saved
            if os.environ != environ:
                os.environ.clear()
                os.environ.update(environ)
            # Streams the command kept (a logging handler, say) write where they did.
            stdout.release()
            stderr.release()
    if stopped:
        output.write("stderr", _stopped(time.monotonic() - start))
    return code


#: The files of the frames between run_in_process and the command's own.
_ADAPTER_FILES = frozenset(
    (run_in_process.__code__.co_filename, Alarm.run.__code__.co_filename)
)


def _exit_status(code: object, stderr: _Writer) -> int:
    """The exit status SystemExit(code) gives a Python process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code)  # True is 1
    print(code, file=stderr)
    return 1


class _Writer(io.TextIOBase):
    """A text stream adding what is written to an Output under its stream's name, and
    after release() passing it on to the stream it replaced."""

    encoding = "utf-8"
    # Lone surrogates (undecodable file names) cannot go in the UTF-8 answer.
    errors = "backslashreplace"

    def __init__(
        self, output: Output, stream: str, original: Any, alarm: Alarm
    ) -> None:
        super().__init__()
        self._output: Output | None = output
        self._stream = stream
        self._original = original
        #: Held while `output` records a write, which the deadline must not split.
        self._alarm = alarm
        #: For code writing bytes to sys.stdout.buffer.
        self.buffer = _BytesWriter(self)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click probes streams with b""
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._output is None:
            written: int = self._original.write(text)
            return written
        length = len(text)
        if not text.isascii():
            text = text.encode("utf-8", self.errors).decode("utf-8")
        self._alarm.hold()
        try:
            self._output.write(self._stream, text)
        finally:
            self._alarm.release()
        return length

    def release(self) -> None:
        """Write on to the replaced stream from now on."""
        self.buffer.finish()
        self._output = None


class _BytesWriter(io.BufferedIOBase):
    """sys.stdout.buffer for _Writer: UTF-8 bytes, undecodable ones replaced."""

    def __init__(self, text: _Writer) -> None:
        super().__init__()
        self._text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        raw = bytes(data)
        self._text.write(self._decoder.decode(raw))
        return len(raw)

    def finish(self) -> None:
        """Write out the last bytes of an incomplete character."""
        self._text.write(self._decoder.decode(b"", final=True))


def _python(code: str, app: WSGIApplication) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        # A fresh __main__, as `python -c` runs in: pickle, dataclasses and typing
        # find what the code defines.
        main = types.ModuleType("__main__")
        saved = sys.modules["__main__"]
        sys.modules["__main__"] = main
        try:
            # dont_inherit: this module's `from __future__` imports stay here.
            exec(compile(code, "<string>", "exec", dont_inherit=True), main.__dict__)
        finally:
            sys.modules["__main__"] = saved

    return ["-c"], run


def _manage(
    args: list[str], app: WSGIApplication
) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        # The app's WSGI module set DJANGO_SETTINGS_MODULE and set Django up at init.
        import django
        from django.apps import apps
        from django.core.management import execute_from_command_line

        if not apps.ready:  # not set up at init: as manage.py would, from scratch
            execute_from_command_line(["manage.py", *args])
            return
        # ManagementUtility.execute() calls django.setup() again, which re-applies
        # LOGGING: with disable_existing_loggers at its default, every logger made
        # since init (this adapter's among them) would be off for the environment's
        # life. Set up already, the command runs as call_command() runs one.
        setup = django.setup
        django.setup = _set_up_already
        try:
            execute_from_command_line(["manage.py", *args])
        finally:
            django.setup = setup

    return ["manage.py", *args], run


def _set_up_already(set_prefix: bool = True) -> None:
    """django.setup() in a process whose Django was set up at init."""


def _flask(
    args: list[str], app: WSGIApplication
) -> tuple[list[str], Callable[[], None]]:
    def run() -> None:
        from flask import Flask
        from flask.cli import FlaskGroup, NoAppException

        def create_app() -> Flask:
            # CDK_WSGI_APP may name the app or its bound method `app.wsgi_app`.
            for candidate in (app, getattr(app, "__self__", None)):
                if isinstance(candidate, Flask):
                    return candidate
            raise NoAppException(f"the function's WSGI app is not a Flask app: {app!r}")

        # No .env loading and no FLASK_DEBUG: the live app serves requests too.
        cli = FlaskGroup(create_app=create_app, load_dotenv=False, set_debug_flag=False)
        cli.main(args, prog_name="flask")

    return ["flask", *args], run


_TARGETS: dict[
    str, Callable[[Any, WSGIApplication], tuple[list[str], Callable[[], None]]]
] = {"python": _python, "manage": _manage, "flask": _flask}
