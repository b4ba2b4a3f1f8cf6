"""Shared fixtures: the era each test runs in, and Python servers on a free port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["legacy", "2026-07-28"])
def mode(request: pytest.FixtureRequest) -> str:
    """The protocol era the official client speaks."""
    return str(request.param)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(
    script: Path,
    *args: str,
    stdout: int | None = subprocess.DEVNULL,
    prefix: Sequence[str] = (),
    python: str = sys.executable,
) -> Iterator[subprocess.Popen[str]]:
    """Runs `python script args...` (which must listen on the port in its arguments),
    after `prefix` (a wrapper such as `contain.sh root`), waits until it listens, and
    kills it, with its whole process group, afterwards if it is still running."""
    port = next(int(a.rsplit(":", 1)[-1]) for a in reversed(args) if a.rsplit(":", 1)[-1].isdigit())
    command = [*prefix, python, str(script), *args]
    server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not listen"
                time.sleep(0.05)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
