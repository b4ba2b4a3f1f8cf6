"""Streamable HTTP behind bearer-token auth, in Python: `add` for anyone with a valid
token, `divide` with scope `math:write`, `whoami`, and `secrets://{name}` with scope
`secrets:read`. A missing or bad token is answered 401 with the `WWW-Authenticate`
challenge, a missing scope 403, and a caller past the rate limit 429; the RFC 9728
metadata is served at `/.well-known/oauth-protected-resource/mcp`.

    python mcp-python/examples/secure_server.py --dev
    python mcp-python/examples/secure_server.py 127.0.0.1:8000 --secret-file s.key --issuer https://auth.example

`--dev` makes a secret and prints a token holding every scope, and a curl line that
uses it. Otherwise JWTs (HS256) are verified with the secret in `--secret-file` (or
`BOLTMCP_HS256_SECRET`), and must name `--issuer` and the audience (by default this
server's own `http://ADDR/mcp`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import sys

from boltmcp import Context, MCPServer, ToolError, dev_token

SCOPES = ("math:write", "secrets:read")


@dataclasses.dataclass
class Caller:
    """Who is calling."""

    subject: str
    scopes: list[str]


def build(secret: str, issuer: str, audience: str, rate_limit: str) -> MCPServer:
    """The server, with its security settings."""
    server = MCPServer(
        name="secure-calculator",
        version="1.0.0",
        security={
            "auth": {"jwt": {"secret": secret, "issuer": issuer, "audience": audience}},
            "rate_limit": rate_limit,
        },
    )

    @server.tool()
    def add(a: float, b: float) -> float:
        """Adds two numbers (any valid token)."""
        return a + b

    @server.tool(scopes=["math:write"], rate_limit="5/s")
    def divide(a: float, b: float) -> float:
        """Divides `a` by `b` (scope `math:write`, 5 calls a second in all)."""
        if b == 0:
            raise ToolError("division by zero")
        return a / b

    @server.tool()
    def whoami(ctx: Context) -> Caller:
        """The caller's subject and scopes."""
        caller = ctx.principal
        if caller is None:
            raise ToolError("no caller")
        return Caller(caller.subject, list(caller.scopes))

    @server.resource("secrets://{name}", scopes=["secrets:read"])
    def secret_note(name: str) -> str:
        """A secret note (scope `secrets:read`)."""
        return f"the secret of {name}"

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("addr", nargs="?", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    parser.add_argument("--dev", action="store_true", help="make a secret, print a token with every scope")
    parser.add_argument("--secret-file", help="the HS256 secret (or BOLTMCP_HS256_SECRET)")
    parser.add_argument("--issuer", help="the issuer JWTs must name (--dev: this server)")
    parser.add_argument("--audience", help="the audience JWTs must name (default: http://ADDR/mcp)")
    parser.add_argument("--rate-limit", default="600/minute", help="each caller's quota (default 600/minute)")
    args = parser.parse_args()
    host, _, port = args.addr.rpartition(":")
    url = f"http://{args.addr}/mcp"
    audience = args.audience or url
    if args.dev:
        secret = secrets.token_urlsafe(32)
        issuer = args.issuer or f"http://{args.addr}"
        token = dev_token(secret, issuer=issuer, audience=audience, scopes=SCOPES)
        print(f"TOKEN={token}", flush=True)
        print(
            f"curl -s {url} -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' "
            "-H 'Accept: application/json, text/event-stream' "
            """-d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",'"""
            """'"capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'""",
            flush=True,
        )
    else:
        if args.secret_file:
            with open(args.secret_file, encoding="utf-8") as file:
                secret = file.read().strip()
        else:
            secret = os.environ.get("BOLTMCP_HS256_SECRET", "")
        if not secret or not args.issuer:
            sys.exit("secure_server.py: give --secret-file (or BOLTMCP_HS256_SECRET) and --issuer, or --dev")
        issuer = args.issuer
    print(f"secure_server.py: serving MCP at {url} (Ctrl-C stops it)", file=sys.stderr, flush=True)
    build(secret, issuer, audience, args.rate_limit).run(transport="http", host=host, port=int(port))


if __name__ == "__main__":
    main()
