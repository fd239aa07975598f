"""Commands run in this process (Python code, Django's manage, the Flask CLI), where the
app is imported: standard streams captured, argv and the environment restored, stopped
at the deadline."""

from __future__ import annotations

import codecs
import io
import os
import sys
import time
import traceback

from ..deadline import Alarm
from ..exceptions import DeadlineExceeded
from .exits import EXIT_TIMED_OUT, stopped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from _typeshed import ReadableBuffer

    from .output import Output

#: Frames of modules under this prefix (this one, the deadline's, the kind's) come
#: before the command's own in a traceback.
_ADAPTER = __name__.partition(".")[0] + "."


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
    timed_out = False
    with open(os.devnull, encoding="utf-8") as stdin:
        # Before the command starts: click and Django look the streams up as they go.
        sys.stdin, sys.stdout, sys.stderr, sys.argv = stdin, stdout, stderr, argv
        try:
            alarm.run(deadline - start, target)
            code = 0
        except DeadlineExceeded:
            code, timed_out = EXIT_TIMED_OUT, True
        except SystemExit as exc:
            code = _exit_status(exc.code, stderr)
        except BaseException as exc:
            # As Python prints an uncaught exception: from its first frame not ours.
            tb = exc.__traceback__
            while tb is not None and _is_ours(tb.tb_frame.f_globals):
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
    if timed_out:
        output.write("stderr", stopped(time.monotonic() - start))
    return code


def _is_ours(frame_globals: dict[str, Any]) -> bool:
    name = frame_globals.get("__name__")
    return isinstance(name, str) and name.startswith(_ADAPTER)


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
