-- wrk script for benches/run-http.sh: POSTs one `tools/call` of `add` (1 + 2) per
-- request, and prints one machine-readable line when the run is done.
--
-- Environment:
--   MCP_ERA         legacy (2025-11-25, the default) or modern (2026-07-28 headers
--                   and per-request _meta: stateless by nature)
--   MCP_SESSION_ID  legacy only: the Mcp-Session-Id to send (session mode)
--   MCP_TOKEN       a bearer token to send in Authorization, if any

local era = os.getenv("MCP_ERA") or "legacy"
local session = os.getenv("MCP_SESSION_ID")
local token = os.getenv("MCP_TOKEN")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

if era == "modern" then
  wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
  wrk.headers["Mcp-Method"] = "tools/call"
  wrk.headers["Mcp-Name"] = "add"
  wrk.body = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2},'
    .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
    .. '"io.modelcontextprotocol/clientCapabilities":{}}}}'
elseif era == "legacy" then
  wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
  if session ~= nil and session ~= "" then
    wrk.headers["Mcp-Session-Id"] = session
  end
  wrk.body = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'
else
  error("MCP_ERA must be legacy or modern, not " .. era)
end

-- WRK <requests/s> <p50 µs> <p99 µs> <socket errors> <non-2xx/3xx responses> <requests>
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %.1f %.1f %.1f %d %d %d\n",
    summary.requests / summary.duration * 1e6,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, summary.requests))
end
