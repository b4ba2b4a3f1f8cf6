"""The start of a sandbox worker, as the server starts one:

    python -m boltmcp._worker script PATH [ARG...] --boltmcp-sandbox-worker PARENT SCRATCH POLICY
    python -m boltmcp._worker module NAME [ARG...] --boltmcp-sandbox-worker PARENT SCRATCH POLICY

It runs the server's program as `__main__` with the server's own arguments, so
the program takes the same path to `server.run()`, which then confines the process
and serves the sandboxed tools (see `boltmcp._sandbox`)."""

from __future__ import annotations

import os
import runpy
import sys

from boltmcp import _sandbox
from boltmcp._native import SANDBOX_WORKER_MARKER

#: The exit code of a worker that could not start (the Rust sandbox's own).
SETUP_FAILED = 121


def main() -> None:
    args = sys.argv[1:]
    if SANDBOX_WORKER_MARKER not in args or len(args) < 3 or args[0] not in ("script", "module"):
        sys.stderr.write(__doc__ or "")
        sys.exit(2)
    marker = args.index(SANDBOX_WORKER_MARKER)
    kind, target, own, launch = args[0], args[1], args[2:marker], args[marker + 1 :]
    _sandbox.begin_worker(launch)
    sys.argv = [target, *own]
    if kind == "script":
        # What `python PATH` puts first on the import path.
        sys.path[0] = os.path.dirname(target)
        runpy.run_path(target, run_name="__main__")
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    sys.stderr.write("boltmcp sandbox: the server's program ended without reaching server.run()\n")
    sys.exit(SETUP_FAILED)


if __name__ == "__main__":
    main()
