#!/usr/bin/env bash
# Where the gateway's time goes (issue 11): the gateway in front of a near-free distributor (nginx
# answering every order with a canned 201), loaded by wrk with fresh Idempotency-Keys, while
# dotnet-counters records the runtime's and ASP.NET Core's counters and dotnet-trace samples
# thread stacks over the middle of the run (docs/benchmarks.md, "Where the time goes").
#
#   bash bench/profile.sh
#
# Prints the counters' means over the run and dotnet-trace's top methods, exclusive (where the
# samples are) and inclusive (what they are under). Installs dotnet-counters and dotnet-trace as
# global .NET tools if missing, and wrk and nginx with apt-get.
#
# Knobs (environment): DURATION=30 WARMUP=5 TRACE_SECONDS=10 THREADS=2 CONNECTIONS=64 TOP=25,
# LEDGER=sqlite|postgres, GATEWAY_ARGS="--Ledger:SqliteSynchronous=NORMAL" adds gateway options (split on
# spaces), GATEWAY_SRC=<a source tree> profiles the gateway built from there (before/after),
# SIM_PORT=9401 GATEWAY_PORT=8491 PG_PORT=8495, KEEP_WORKDIR=1, PERF=1 samples CPU with
# `perf record` (linux-perf; JIT-ed methods named through the runtime's perf map) instead of
# dotnet-trace's thread time, and prints the top shared objects and symbols and the samples by part
# of the gateway (bench/perf-breakdown.py); dotnet-counters then reads System.Runtime only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LUA="$ROOT/bench/unique-key.lua"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
TRACE_SECONDS=${TRACE_SECONDS:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
TOP=${TOP:-25}
LEDGER=${LEDGER:-sqlite}
GATEWAY_SRC=$(cd "${GATEWAY_SRC:-$ROOT}" && pwd)
SIM_PORT=${SIM_PORT:-9401}
GATEWAY_PORT=${GATEWAY_PORT:-8491}
PG_PORT=${PG_PORT:-8495}
require_number DURATION WARMUP TRACE_SECONDS THREADS CONNECTIONS TOP SIM_PORT GATEWAY_PORT PG_PORT
((TRACE_SECONDS + 2 < DURATION)) || die "TRACE_SECONDS must leave room in DURATION"
[[ $LEDGER == sqlite || $LEDGER == postgres ]] || die "LEDGER must be sqlite or postgres"

export PATH="$PATH:$HOME/.dotnet/tools"
PERF=${PERF:-0}
if [[ $PERF == 1 ]]; then
  command -v perf >/dev/null 2>&1 || apt-get install -y --no-install-recommends linux-perf >/dev/null
  export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 # W^X double-maps JIT-ed code where perf cannot name it
fi
for tool in dotnet-counters dotnet-trace; do
  command -v "$tool" >/dev/null 2>&1 || { log "installing $tool"; dotnet tool install -g "$tool" >/dev/null; }
done
command -v wrk >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; } \
  || apt-get install -y --no-install-recommends wrk nginx-light >/dev/null
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
require_free_ports "$SIM_PORT" "$GATEWAY_PORT"

WORK=$(mktemp -d /tmp/meterai-profile.XXXXXX)
chmod 755 "$WORK"
trap cleanup EXIT
trap 'exit 130' INT

CODE=$(describe_code "$GATEWAY_SRC")
GATEWAY_DLL="$(build_release "$GATEWAY_SRC" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"

mkdir -p "$WORK/canned"
write_canned_distributor_conf "$WORK/canned/nginx.conf" "$SIM_PORT"
start canned "$NGINX" -e "$WORK/canned/error.log" -p "$WORK/canned" -c "$WORK/canned/nginx.conf"
CANNED_PID=$STARTED
wait_ready canned "$CANNED_PID" "http://$HOST:$SIM_PORT/health"
printf '{"distributors": [{"id": "d01", "name": "Near-free distributor", "baseUrl": "http://%s:%s", "maxConcurrency": 512}]}\n' "$HOST" "$SIM_PORT" >"$WORK/registry.json"

ledger_args=(--ConnectionStrings:Ledger="Data Source=$WORK/ledger.db")
if [[ $LEDGER == postgres ]]; then
  start_postgres "$WORK/pg" "$PG_PORT"
  ledger_args=(--Ledger:Provider=postgres --ConnectionStrings:Ledger="$PG_CONNECTION")
fi
start gateway dotnet "$GATEWAY_DLL" --urls "http://$HOST:$GATEWAY_PORT" --Distributors:File="$WORK/registry.json" \
  "${ledger_args[@]}" --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 ${GATEWAY_ARGS:-}
GATEWAY_PID=$STARTED
wait_ready gateway "$GATEWAY_PID" "http://$HOST:$GATEWAY_PORT/readyz"
URL="http://$HOST:$GATEWAY_PORT/api/purchases"
smoke "$URL"

RUN_ID="$(date +%s)x$RANDOM"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "$URL" -- "$RUN_ID-warmup" >"$WORK/wrk-warmup.txt" 2>&1

log "load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; counters over the run, a ${TRACE_SECONDS}s stack sample in its middle"
# A session on ASP.NET Core's Hosting and Kestrel event sources makes every request write events
# through EventPipe: about 8 % of the gateway's CPU in a perf profile. perf samples without them.
COUNTERS=System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel
[[ $PERF == 1 ]] && COUNTERS=System.Runtime
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "$URL" -- "$RUN_ID" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
dotnet-counters collect -p "$GATEWAY_PID" --format csv -o "$WORK/counters.csv" --duration "00:00:00:$(printf '%02d' $((DURATION - 1)))" \
  --counters "$COUNTERS" >"$WORK/counters.log" 2>&1 &
COUNTERS_PID=$!
sleep $(((DURATION - TRACE_SECONDS) / 2))
if [[ $PERF == 1 ]]; then
  perf record -F 999 -g -p "$GATEWAY_PID" -o "$WORK/perf.data" -- sleep "$TRACE_SECONDS" >"$WORK/perf.log" 2>&1 \
    || { cat "$WORK/perf.log" >&2; die "perf record failed"; }
else
  dotnet-trace collect -p "$GATEWAY_PID" --profile dotnet-sampled-thread-time -o "$WORK/trace.nettrace" \
    --duration "00:00:00:$(printf '%02d' "$TRACE_SECONDS")" >"$WORK/trace.log" 2>&1 || { cat "$WORK/trace.log" >&2; die "dotnet-trace failed"; }
fi
wait "$WRK_PID" || die "wrk failed"
wait "$COUNTERS_PID" || true
VALID=1

declare -A W
bench_result "$WORK/wrk.txt" W || die "wrk printed no BENCH_RESULT line"

cat <<EOF

## Where the time goes ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine). Gateway: $CODE, $LEDGER ledger${GATEWAY_ARGS:+, options \`$GATEWAY_ARGS\`}, near-free distributor (nginx, canned 201).
Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s -s bench/unique-key.lua\`: $(per_second "${W[requests]}" "${W[duration_us]}") purchases/s, p50 $(awk -v u="${W[p50_us]}" 'BEGIN { printf "%.1f", u / 1000 }') ms, p99 $(awk -v u="${W[p99_us]}" 'BEGIN { printf "%.1f", u / 1000 }') ms, non-2xx $((W[non2xx3xx])).

Counters (mean over the run, dotnet-counters):

| counter | mean |
| --- | ---: |
EOF
awk -F, 'NR > 1 && $4 != "" { key = $3; gsub(/"/, "", key); sum[key] += $NF; n[key]++ }
  END { for (k in sum) printf "| %s | %.2f |\n", k, sum[k] / n[k] }' "$WORK/counters.csv" | sort \
  | grep -E 'cpu|gc\.(heap|pause|collections)|thread_pool|lock\.contention|working_set|requests|current|duration|allocated' | head -n 40 || true
if [[ $PERF == 1 ]]; then
  printf '\nCPU samples by shared object (perf, %ss):\n\n```\n' "$TRACE_SECONDS"
  perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n "$TOP" || true # head closes the pipe early (SIGPIPE under pipefail)
  printf '```\n\nTop %s symbols, exclusive:\n\n```\n' "$TOP"
  perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n "$TOP" || true # head closes the pipe early (SIGPIPE under pipefail)
  printf '```\n\nCPU samples by part of the gateway (bench/perf-breakdown.py):\n\n'
  perf script -i "$WORK/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | python3 "$ROOT/bench/perf-breakdown.py"
  exit 0
fi
printf '\nTop %s methods by exclusive samples (dotnet-trace, %ss of thread-time samples):\n\n```\n' "$TOP" "$TRACE_SECONDS"
dotnet-trace report "$WORK/trace.nettrace" topN -n "$TOP" 2>&1 | sed -n '1,80p'
printf '```\n\nTop %s by inclusive samples:\n\n```\n' "$TOP"
dotnet-trace report "$WORK/trace.nettrace" topN -n "$TOP" --inclusive 2>&1 | sed -n '1,80p'
printf '```\n'
