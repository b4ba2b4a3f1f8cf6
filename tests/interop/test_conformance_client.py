"""The official conformance suite's client scenarios against boltmcp's client.

The suite starts a mock server per scenario and runs the `conformance-client` example
(a plain `boltmcp::client` program) with the server URL as its last argument and the
scenario in MCP_CONFORMANCE_SCENARIO. Every non-auth scenario the project commits to:
  * 0.1.16: initialize, tools_call, elicitation-sep1034-client-defaults, sse-retry;
  * 0.2.0-alpha.12 at 2026-07-28: tools_call, request-metadata,
    sep-2322-client-request-state, http-standard-headers, http-custom-headers,
    http-invalid-tool-headers, json-schema-ref-no-deref.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import NODE, server_binary
from test_conformance import SUITES

SCENARIOS = [
    ("0.1", "initialize"),
    ("0.1", "tools_call"),
    ("0.1", "elicitation-sep1034-client-defaults"),
    ("0.1", "sse-retry"),
    ("0.2", "tools_call"),
    ("0.2", "request-metadata"),
    ("0.2", "sep-2322-client-request-state"),
    ("0.2", "http-standard-headers"),
    ("0.2", "http-custom-headers"),
    ("0.2", "http-invalid-tool-headers"),
    ("0.2", "json-schema-ref-no-deref"),
]


@pytest.mark.parametrize(("version", "scenario"), SCENARIOS)
def test_client_scenario(version: str, scenario: str, tmp_path: Path) -> None:
    client = server_binary("conformance-client")
    args = ["--spec-version", "2026-07-28"] if version == "0.2" else []
    proc = subprocess.run(
        [str(NODE), str(SUITES[version]), "client", "--command", str(client), "--scenario", scenario, *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    output = proc.stdout + proc.stderr
    found = re.search(r"Passed: (\d+)/(\d+), (\d+) failed, (\d+) warnings", output)
    assert found, output
    passed, total, failed, warnings = (int(g) for g in found.groups())
    assert total > 0 and passed == total and failed == 0 and warnings == 0, output
    assert proc.returncode == 0, output
