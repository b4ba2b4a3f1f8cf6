"""The official MCP conformance suite against boltmcp's `conformance-server` example, and
against the Python package's `conformance_server.py`.

Two pinned versions of `@modelcontextprotocol/conformance` (see package.json; both run on
the pinned Node 22):
  * 0.1.16, `--suite all`: every server scenario, pending ones included;
  * 0.2.0-alpha.12, `--requirements 2025-11-25` and `--requirements 2026-07-28`: every
    scored scenario, plus the unscored ones the requirement sets also run.

No expected-failures file is used. The suite's own summary is parsed so a failure names
the scenarios that failed; the full output is attached to the report.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import NODE, NODE_MODULES

SUITE_TIMEOUT = 900
SUITES = {
    "0.1": NODE_MODULES / "conformance-0.1" / "dist" / "index.js",
    "0.2": NODE_MODULES / "conformance-0.2" / "dist" / "index.js",
}

def run_suite(version: str, url: str, tmp_path: Path, *args: str) -> tuple[int, str, dict[str, bool]]:
    suite = SUITES[version]
    if not suite.is_file():
        pytest.fail(f"{suite} is missing: run scripts/install-test-deps.sh", pytrace=False)
    proc = subprocess.run(
        [str(NODE), str(suite), "server", "--url", url, *args],
        capture_output=True,
        text=True,
        timeout=SUITE_TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    results = {}
    for line in output.splitlines():
        found = re.match(r"^\s*([✓✗]) (\S+?):? ", line)
        if found and "(" not in found.group(2):
            results.setdefault(found.group(2), found.group(1) == "✓")
    return proc.returncode, output, results


def failed(results: dict[str, bool]) -> list[str]:
    return sorted(name for name, ok in results.items() if not ok)


@pytest.fixture(params=["conformance-server", "conformance_server.py"])
def conformance_url(http_server, request: pytest.FixtureRequest) -> str:
    """The Rust fixture, and the Python one (mcp-python/examples), written with the
    package's public decorators only."""
    return http_server(request.param).url


def test_v0_1_every_server_scenario(conformance_url: str, tmp_path: Path) -> None:
    code, output, results = run_suite("0.1", conformance_url, tmp_path, "--suite", "all")
    assert len(results) == 32, f"expected 32 scenarios, saw {len(results)}\n{output}"
    assert failed(results) == [], output
    assert re.search(r"^Total: \d+ passed, 0 failed$", output, re.M), output
    assert code == 0, output


@pytest.mark.parametrize("revision", ["2025-11-25", "2026-07-28"])
def test_v0_2_requirements(conformance_url: str, tmp_path: Path, revision: str) -> None:
    code, output, results = run_suite("0.2", conformance_url, tmp_path, "--requirements", revision)
    assert len(results) >= 30, f"too few scenarios ran ({len(results)})\n{output}"
    assert failed(results) == [], output
    # Unscored scenarios too: the tasks extension, pending header validation.
    assert re.search(r"^Not scored for .*: \d+ scenario\(s\) run, 0 failing", output, re.M), output
    assert re.search(r"^Total: \d+ passed, 0 failed$", output, re.M), output
    assert code == 0, output
