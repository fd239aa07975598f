"""Shell commands: /bin/sh -c in its own process group, its pipes read as they fill,
stopped with its children at the deadline."""

from __future__ import annotations

import codecs
import contextlib
import os
import selectors
import signal
import subprocess
import time

from .exits import EXIT_CANNOT_RUN, EXIT_TIMED_OUT, stopped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .output import Output

#: After the shell exits, how long background jobs holding its pipes are read from.
EXIT_GRACE_SECONDS = 0.5
#: After the command's processes are killed, how long their last output is read.
DRAIN_SECONDS = 0.2
#: How often the pipe reader checks whether the shell has exited.
POLL_SECONDS = 0.1
_READ_SIZE = 65536


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
        output.write("stderr", stopped(time.monotonic() - start))
        return EXIT_TIMED_OUT
    return 128 - status if status < 0 else status


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
