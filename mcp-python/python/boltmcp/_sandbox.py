"""Sandboxed tools: `@server.tool(sandbox=True)`, or every tool under the `security`
settings' `"sandbox": {"enabled": True}`.

A sandboxed tool never runs in the server's process. It runs in a warm worker
process: this interpreter started again on the same script, through
`python -m boltmcp._worker`, which runs the script as `__main__`. The script
defines its tools as it always does; when it reaches `server.run()`, the worker
confines itself, exactly as a Rust worker does (its own user when started as root,
or its own user namespace; no network; no new processes; rlimits on CPU, memory,
files and processes; landlock; seccomp), and serves the sandboxed tools to the
server over its stdin and stdout, one call at a time. A call past its wall-clock
limit kills the worker; a crash, a forbidden system call or an exhausted limit
becomes an `isError` result naming the cause, and a fresh worker takes its place.

What this means for a script:

- it runs with the server's own arguments and must reach `server.run()` (or
  `run_async()`) as the server does, whatever transport it names; what it does
  before is done again in each worker, and no thread may be running by then;
- its sandboxed tools are registered before `run()`: a worker knows only those
  (adding one while the server runs is refused);
- a tool reads the interpreter's installation and the directories of `sys.path`,
  but nothing of the project beyond the modules already imported: import what the
  tools need at the top of the script (as root, the worker's own user may not even
  be allowed into the interpreter's directory);
- `read_only` and `read_write` open more of the filesystem, `network=True` the
  network.

The policy's keys (times in seconds, sizes in bytes) are those of the Rust
`SandboxPolicy`: `cpu_time`, `wall_clock`, `memory`, `file_size`, `open_files`,
`processes`, `network`, `read_only`, `read_write`, `env`, `workers`,
`max_calls_per_worker`, `max_worker_rss`.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

POLICY_KEYS = frozenset(
    {
        "cpu_time",
        "wall_clock",
        "memory",
        "file_size",
        "open_files",
        "processes",
        "network",
        "read_only",
        "read_write",
        "env",
        "workers",
        "max_calls_per_worker",
        "max_worker_rss",
    }
)

_worker_launch: list[str] | None = None


def begin_worker(launch: list[str]) -> None:
    """Marks this process as a worker (`boltmcp._worker`): `launch` is what followed
    the worker marker, for the first server that reaches `run`."""
    global _worker_launch
    _worker_launch = launch


def in_worker() -> bool:
    """Whether this process is a worker whose server has not started serving yet."""
    return _worker_launch is not None


def take_worker_launch() -> list[str] | None:
    """In a worker, the launch arguments, once: the first server to run serves."""
    global _worker_launch
    launch, _worker_launch = _worker_launch, None
    return launch


def server_settings(security: dict[str, Any]) -> tuple[bool, dict[str, Any] | None]:
    """From the `security` settings: whether every tool is sandboxed by default, and
    the server's policy (`None`: no `sandbox` settings)."""
    settings = security.get("sandbox")
    if settings is None:
        return False, None
    if settings is True:
        return True, {}
    if not isinstance(settings, dict):
        raise ValueError("security['sandbox'] must be a dict (or True)")
    policy = dict(settings)
    enabled = policy.pop("enabled", False)
    if not isinstance(enabled, bool):
        raise ValueError("security['sandbox']['enabled'] must be True or False")
    return enabled, checked_policy("security['sandbox']", policy, extra={"enabled"})


def tool_settings(name: str, sandbox: bool | dict[str, Any] | None, enabled: bool) -> dict[str, Any] | None:
    """A tool's sandbox settings as the Rust side takes them: `None` when it runs in
    the server's process; its own policy keys (over the server's) otherwise."""
    if sandbox is None:
        sandbox = enabled
    if sandbox is False:
        return None
    if sandbox is True:
        return {}
    return checked_policy(f"sandbox of `{name}`", sandbox)


def checked_policy(where: str, policy: Any, extra: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(policy, dict):
        raise ValueError(f"{where} must be True, False or a dict of policy settings")
    unknown = sorted(set(policy) - POLICY_KEYS)
    if unknown:
        known = ", ".join(sorted(POLICY_KEYS | set(extra)))
        raise ValueError(f"{where}: unknown {', '.join(map(repr, unknown))}; the settings are {known}")
    return {key: _paths(value) if key in ("read_only", "read_write") else value for key, value in policy.items()}


def _paths(value: Any) -> list[str]:
    paths = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    return [os.path.abspath(os.fspath(path)) for path in paths]


def configuration(policy: dict[str, Any]) -> str:
    """The sandbox's settings for the Rust side: how a worker starts (this
    interpreter on this program), its environment, and the policy, which also lets
    the worker read the interpreter's installation and import path."""
    program, env = worker_command()
    readable = [*policy.get("read_only", []), *_interpreter_paths()]
    return json.dumps({"program": program, "env": env, "policy": {**policy, "read_only": readable}})


def worker_command() -> tuple[list[str], dict[str, str]]:
    """The command line that starts a worker on the program this process runs,
    and the environment it needs to import what this process imports."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    path = getattr(main, "__file__", None)
    if spec is not None and spec.name not in ("__main__", "boltmcp._worker"):
        name = spec.name.removesuffix(".__main__")
        target = ["module", name]
    elif isinstance(path, str):
        target = ["script", os.path.abspath(path)]
    else:
        raise RuntimeError(
            "sandboxed tools run in workers that start this program again, and this "
            "program is neither a script nor a module: run the server as "
            "`python server.py` or `python -m package.server`"
        )
    path_entries = [os.path.abspath(entry) for entry in sys.path if entry]
    env = {
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(path_entries)),
        "PYTHONDONTWRITEBYTECODE": "1",
        # Fewer malloc arenas: the worker's address space is limited (`memory`), and
        # each thread's arena reserves 64 MiB of it.
        "MALLOC_ARENA_MAX": "2",
    }
    return [sys.executable, "-m", "boltmcp._worker", *target, *sys.argv[1:]], env


def _interpreter_paths() -> list[str]:
    """What a worker reads to import: the interpreter's installation and the
    directories of the import path, less the script's own directory (the project)."""
    main = sys.modules.get("__main__")
    script_dir = os.path.dirname(os.path.abspath(getattr(main, "__file__", "") or "."))
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(os.path.abspath(entry) for entry in sys.path if entry and os.path.isdir(entry))
    paths.discard(script_dir)
    paths.discard(os.getcwd())
    return sorted(paths)
