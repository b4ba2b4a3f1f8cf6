"""The floor of any Python server's start: this interpreter answering `initialize`
(and then every `tools/call`) with canned lines, importing nothing. The start row of
`benches/run-python.sh` sets a server's start beside it, so the interpreter's own
start-up (which on some machines includes slow `.pth` files) is told apart from
what a package adds."""

import sys

RESULT = '{"jsonrpc":"2.0","id":%s,"result":%s}\n'
INITIALIZED = (
    '{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},'
    '"serverInfo":{"name":"floor","version":"0"}}'
)
CALLED = '{"content":[{"type":"text","text":"0"}],"isError":false}'

for line in sys.stdin:
    head, found, rest = line.partition('"id":')
    if not found:
        continue  # a notification
    request_id = rest.split(",", 1)[0].split("}", 1)[0]
    sys.stdout.write(RESULT % (request_id, INITIALIZED if '"initialize"' in line else CALLED))
    sys.stdout.flush()
