#!/usr/bin/env bash
# Where a load-benchmark server spends its CPU, thread by thread, with Linux perf (Debian package
# linux-perf; root or perf_event_paranoid <= 1). A V8 CPU profile samples the main thread only and
# counts time the thread waits for a core; perf counts CPU time on every thread: the event loop, the
# libuv pool (where the signature checks run by default) and V8's helper threads (GC, compiler).
#
#   bash bench/load/perf-split.sh express-wimse GET      # any peer of bench/load/servers.ts
#
# Prints the server's CPU per request for each thread and, for the main thread, its top symbols
# (JavaScript functions by name, through --perf-basic-prof). Needs the packages built (pnpm build).
set -euo pipefail
peer=${1:?peer, e.g. express-wimse}
method=${2:-GET}
requests=${BENCH_REQUESTS:-20000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$(dirname "$0")/../.."

NODE_OPTIONS=--perf-basic-prof BENCH_SOAK_ROUNDS=0 BENCH_PEERS=$peer BENCH_METHODS=$method BENCH_ROUNDS=1 \
  BENCH_REQUESTS=$requests BENCH_WRITE=0 BENCH_SERVER_PIDS="$out/pids" \
  perf record -q -e cpu-clock -F 1999 -a -g -o "$out/perf.data" -- node --import tsx bench/load/run-load.ts |
  grep '^round'
server=$(awk -v peer="$peer" '$1 == peer { print $2 }' "$out/pids" | tail -1)

# Samples of the server process only, one per block: a header "pid/tid", then the stack, leaf first.
perf script -i "$out/perf.data" --pid "$server" -F pid,tid,ip,sym,dso 2>/dev/null |
  awk -v requests="$requests" -v hz=1999 -v server="$server" '
  /^[ \t]*[0-9]+\/[0-9]+[ \t]*$/ { split($1, ids, "/"); tid = ids[2]; first = 1; next }
  NF == 0 { next }
  first {
    first = 0
    total++; thread[tid]++
    if (tid == server) { sym = $0; sub(/^[ \t]*[0-9a-f]+ /, "", sym); top[sym]++ }
  }
  # A thread is named by what it runs: the libuv pool runs OpenSSL (linked into node), V8 helpers the GC.
  /uv__threadpool|worker \(|ecp_nistz256|EVP_|ossl_/ { kind[tid] = "libuv pool (crypto)" }
  /v8::internal::(Scavenger|MarkCompact|Concurrent|Marking|Sweeper|Compil)/ { if (kind[tid] == "") kind[tid] = "V8 helper (GC, compiler)" }
  END {
    # Warm-up requests (1/8 of the measured ones) and start-up are in the samples too.
    us = 1e6 / hz / (requests * 1.125)
    printf "server pid %s: %.0f µs of CPU per request, all threads (warm-up and start-up included)\n", server, total * us
    for (t in thread) {
      name = t == server ? "event loop (main thread)" : (kind[t] != "" ? kind[t] : "other")
      printf "  %-28s %6.1f µs/request  (tid %s)\n", name, thread[t] * us, t
    }
    print "event loop, top symbols (µs/request):"
    cmd = "sort -rn | head -40"
    for (s in top) printf "%9.2f  %s\n", top[s] * us, s | cmd
    close(cmd)
  }'
