"""A server for the policy tests: a tool with a timeout, one with a concurrency cap,
one with its own rate limit, and every caller limited by the security settings."""

import time

from boltmcp import MCPServer

server = MCPServer("policies", security={"rate_limit": {"max_requests": 20, "per": "minute"}})


@server.tool(timeout=0.2)
def slow(seconds: float) -> str:
    """Sleeps."""
    time.sleep(seconds)
    return "woke"


@server.tool(max_concurrency=1)
def single(seconds: float) -> float:
    """Sleeps, one call at a time."""
    time.sleep(seconds)
    return seconds


@server.tool(rate_limit="2/minute")
def scarce() -> str:
    """Twice a minute."""
    return "here"


if __name__ == "__main__":
    server.run()
