"""The `security` settings of `MCPServer`, checked and handed to the Rust layers:

    security={
        "auth": {
            "jwt": {"secret": "...", "issuer": "https://auth.example", "audience": "https://mcp.example/mcp"},
            "tokens": {"a-static-token": ["math:write"]},
        },
        "rate_limit": {"max_requests": 100, "per": "minute"},
        "sandbox": {"enabled": True, "memory": 512 * 2**20, "wall_clock": 10},
    }

`auth.jwt` takes one or more keys: `secret` (HS256, or `algorithm`), `public_key`
(PEM: RS256 by default; ES256, ES384 and EdDSA by `algorithm`) and `jwks_url`; JWTs
must name `issuer` and `audience` (by default the server's own `http://HOST:PORT/mcp`),
and `alg: none` is never accepted. `auth.tokens` maps static bearer tokens to their
scopes. `auth.resource` and `auth.authorization_server` go into the RFC 9728 metadata.
`sandbox` is the policy of sandboxed tools (`boltmcp._sandbox`); with `enabled`,
every tool is one unless it says `sandbox=False`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from ._native import sign_hs256

_KNOWN = {"auth", "rate_limit", "sandbox"}
_AUTH_KEYS = {"jwt", "tokens", "resource", "authorization_server"}
_JWT_KEYS = {"secret", "public_key", "jwks_url", "algorithm", "issuer", "audience"}


def parse(security: dict[str, Any]) -> tuple[str | None, str | None]:
    """The settings checked: the per-caller quota and the `auth` settings, as the
    Rust side takes them."""
    _known_keys("security", security, _KNOWN)
    return _rate_limit(security), _auth(security)


def _rate_limit(security: dict[str, Any]) -> str | None:
    """The per-caller quota, as the Rust side parses it (`"100/minute"`)."""
    limit = security.get("rate_limit")
    if limit is None or isinstance(limit, str):
        return limit
    return f"{int(limit['max_requests'])}/{limit.get('per', 'minute')}"


def _auth(security: dict[str, Any]) -> str | None:
    """The `auth` settings as JSON for the Rust side, their keys checked here so a
    misspelt one is named with the ones allowed."""
    settings = security.get("auth")
    if settings is None:
        return None
    _known_keys("security['auth']", settings, _AUTH_KEYS)
    jwt = settings.get("jwt")
    if jwt is not None:
        _known_keys("security['auth']['jwt']", jwt, _JWT_KEYS)
    tokens = settings.get("tokens", {})
    if not isinstance(tokens, dict) or not all(isinstance(s, (list, tuple)) for s in tokens.values()):
        raise ValueError("security['auth']['tokens'] maps each token to a list of scopes")
    return json.dumps({**settings, "tokens": {token: list(scopes) for token, scopes in tokens.items()}})


def _known_keys(where: str, settings: Any, known: set[str]) -> None:
    if not isinstance(settings, dict):
        raise ValueError(f"{where} must be a dict")
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(f"{where}: unknown {', '.join(map(repr, unknown))}; the settings are {', '.join(sorted(known))}")


def dev_token(
    secret: str,
    *,
    issuer: str,
    audience: str,
    scopes: Sequence[str] = (),
    subject: str = "developer",
    expires_in: int = 24 * 3600,
) -> str:
    """An HS256 JWT signed with `secret`, for development and tests (`--dev` modes):
    production tokens come from an authorization server."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + expires_in,
    }
    return sign_hs256(secret, json.dumps(claims))
