#!/bin/sh
# Wire tap for the interop tests: run an MCP stdio server and record both directions.
#   sh wiretap.sh LOGDIR SERVER [ARGS...]
# LOGDIR/client-to-server.jsonl  every line the peer wrote to the server's stdin
# LOGDIR/server-to-client.jsonl  every line the server wrote to its stdout
# LOGDIR/server-stderr.log       the server's stderr
# The tests print these files when they fail, so a failure shows the exact exchange.
dir=$1
shift
tee -a "$dir/client-to-server.jsonl" | "$@" 2>>"$dir/server-stderr.log" | tee -a "$dir/server-to-client.jsonl"
