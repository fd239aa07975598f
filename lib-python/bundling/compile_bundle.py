"""Compiles a Lambda bundle to the bytecode Lambda runs it from.

    python compile_bundle.py BUNDLE [WORKERS]

Lambda's /var/task is read-only, so a module without usable bytecode is compiled
again on every cold start. The .pyc files are hash-checked (PEP 552): the CDK CLI
zips assets with every mtime reset to 1980, which would make dated ones stale on
arrival, and one whose source changed is ignored rather than run. Each records the
path Lambda runs its source from (/var/task/...), for tracebacks.

Not ``python -m compileall -j 0``: from Python 3.12 its workers come from a
forkserver that outlives the compile, left for init to reap. Here the workers are
this process's own children, all joined before it exits. The same bundle compiles
to the same bytes when the caller fixes PYTHONHASHSEED (set and frozenset constants
are laid out in hash order).

A file that does not compile (a template shipped as .py) gets an
``*** Error compiling`` line and exit status 1 after the rest are compiled, as with
compileall; Lambda compiles such a file on import.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import py_compile
import sys

TASK_ROOT = "/var/task"


def sources(bundle: str) -> list[str]:
    """Every .py file in the bundle; like compileall, not in symlinked folders."""
    return sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(bundle)
        for name in names
        if name.endswith(".py")
    )


def compile_one(bundle: str, source: str) -> bool:
    shown = TASK_ROOT + "/" + os.path.relpath(source, bundle).replace(os.sep, "/")
    try:
        py_compile.compile(
            source,
            dfile=shown,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
        )
    except (py_compile.PyCompileError, OSError, ValueError) as error:
        print(f"*** Error compiling {shown!r}: {str(error).strip()}")
        return False
    return True


def main(bundle: str, workers: int) -> int:
    files = sources(bundle)
    if workers == 1 or len(files) < 2 or not hasattr(os, "fork"):
        compiled = [compile_one(bundle, source) for source in files]
    else:
        # fork (everywhere but Windows): the workers are this process's children,
        # joined when the pool closes; no forkserver, no resource tracker. All are
        # forked before the pool starts its thread, so none is forked mid-lock.
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(
            workers or None, mp_context=context
        ) as pool:
            compiled = list(
                pool.map(compile_one, [bundle] * len(files), files, chunksize=32)
            )
    return 0 if all(compiled) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0))
