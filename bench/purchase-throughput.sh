#!/usr/bin/env bash
# Purchase throughput: the gateway's POST /api/purchases vs the simulator's POST /orders directly,
# against one fast simulated distributor, in the same run (docs/benchmarks.md, section 1).
#
#   bash bench/purchase-throughput.sh
#
# Builds Release once, starts the simulator and the gateway on 127.0.0.1 with a fresh temporary
# ledger, warms both paths up, then runs the same wrk load (unique Idempotency-Key per request,
# bench/unique-key.lua) against each and prints a markdown table with the gateway/direct ratio.
# Any non-2xx answer, socket error or timeout makes the run invalid (exit 1).
# wrk, the gateway and the simulator share the machine's cores: compare ratios within one run.
#
# Knobs (environment): THREADS=2 CONNECTIONS=32 DURATION=20 WARMUP=5 (seconds),
# SIM_PORT=9101 GATEWAY_PORT=8181, KEEP_WORKDIR=1 keeps logs and ledger after a valid run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA="$ROOT/bench/unique-key.lua"
HOST=127.0.0.1 # loopback only, never anything else
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
SIM_PORT=${SIM_PORT:-9101}
GATEWAY_PORT=${GATEWAY_PORT:-8181}
READY_TIMEOUT=60 # seconds, per process
POLL=0.2         # seconds between readiness polls

# log, die, alive, wait_ready: shared with surge.sh and overhead.sh. This script keeps its own
# cleanup (defined below, so it wins) because it also reports the ledger it leaves behind.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

for n in THREADS CONNECTIONS DURATION WARMUP SIM_PORT GATEWAY_PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, not '${!n}'"
done

# --- tools ---------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk not found: installing it with apt-get"
  apt-get update && apt-get install -y wrk
fi
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v dotnet >/dev/null 2>&1 || die "dotnet is required"

for port in "$SIM_PORT" "$GATEWAY_PORT"; do
  if [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; then
    die "port $port is already in use; set SIM_PORT/GATEWAY_PORT"
  fi
done

# --- processes we start, and their cleanup -------------------------------------------------------
WORK=$(mktemp -d /tmp/meterai-bench.XXXXXX)
PIDS=()
VALID=0

cleanup() {
  local pid i
  # Newest first: the gateway stops before the distributor it forwards to.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do # up to 5 s for a graceful stop
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $VALID == 1 && ${KEEP_WORKDIR:-0} != 1 ]]; then
    rm -rf "$WORK"
  else
    log "logs, wrk output and ledger kept in $WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# --- build once ----------------------------------------------------------------------------------
log "building Release"
dotnet build -c Release "$ROOT/src/Meterai.Gateway/Meterai.Gateway.csproj" -nologo -v q >"$WORK/build.log" 2>&1 \
  || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
SIM_DLL="$ROOT/src/Meterai.Simulator/bin/Release/net10.0/Meterai.Simulator.dll"
GATEWAY_DLL="$ROOT/src/Meterai.Gateway/bin/Release/net10.0/Meterai.Gateway.dll"
[[ -f $SIM_DLL && -f $GATEWAY_DLL ]] || die "build outputs not found"

# --- start the simulator, then the gateway -------------------------------------------------------
# One fast distributor: no service time, capacity far above the load, stock that never runs out.
log "starting the simulator on $HOST:$SIM_PORT"
(cd "$WORK" && exec dotnet "$SIM_DLL" --count 1 --capacity 512 --service-time-ms 0 --stock 100000000 \
  --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json") >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_ready simulator "$SIM_PID" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"

log "starting the gateway on $HOST:$GATEWAY_PORT (ledger $WORK/ledger.db)"
(cd "$WORK" && exec dotnet "$GATEWAY_DLL" --urls "http://$HOST:$GATEWAY_PORT" \
  --Distributors:File="$WORK/registry.json" \
  --ConnectionStrings:Ledger="Data Source=$WORK/ledger.db" \
  --Logging:LogLevel:Default=Warning) >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=("$GATEWAY_PID")
wait_ready gateway "$GATEWAY_PID" "http://$HOST:$GATEWAY_PORT/readyz"

DIRECT_URL="http://$HOST:$SIM_PORT/orders"
GATEWAY_URL="http://$HOST:$GATEWAY_PORT/api/purchases"

# One purchase each way, by hand, before any load.
smoke() {
  local url=$1 code
  code=$(curl -s -o "$WORK/smoke.json" -w '%{http_code}' --max-time 10 -X POST "$url" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-$RANDOM$RANDOM-$(date +%s%N)" \
    -d '{"quantity":1,"applicantRef":"bench"}' || true)
  [[ $code == 201 ]] || { cat "$WORK/smoke.json" >&2 || true; die "smoke purchase at $url answered $code, not 201"; }
}
smoke "$DIRECT_URL"
smoke "$GATEWAY_URL"

# --- wrk -----------------------------------------------------------------------------------------
RUN_ID="$(date +%s)x$RANDOM"
declare -A R # results by "<phase>.<field>"

# run_wrk PHASE URL SECONDS: same threads/connections for every phase; fills R[PHASE.*].
run_wrk() {
  local phase=$1 url=$2 seconds=$3 out="$WORK/wrk-$1.txt" line kv
  log "wrk $phase: -t$THREADS -c$CONNECTIONS -d${seconds}s $url"
  timeout $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$LUA" "$url" -- "$RUN_ID-$phase" \
    >"$out" 2>&1 || { cat "$out" >&2; die "wrk $phase failed"; }
  sed 's/^/    /' "$out" >&2
  bench_result "$out" R "$phase." || die "wrk $phase printed no BENCH_RESULT line"
  R["$phase.rps"]=$(per_second "${R[$phase.requests]}" "${R[$phase.duration_us]}")

  # Valid only if every request was answered 2xx: no "Non-2xx or 3xx responses", no socket errors.
  local bad=""
  grep -q 'Non-2xx or 3xx responses' "$out" && bad+=" non-2xx/3xx answers;"
  grep -q 'Socket errors' "$out" && bad+=" socket errors;"
  ((R[$phase.non2xx3xx] + R[$phase.connect] + R[$phase.read] + R[$phase.write] + R[$phase.timeout] == 0)) || bad+=" error counters not zero;"
  ((R[$phase.requests] > 0)) || bad+=" no requests completed;"
  alive "$SIM_PID" || bad+=" the simulator died;"
  alive "$GATEWAY_PID" || bad+=" the gateway died;"
  if [[ -n $bad ]]; then
    log "gateway log (last 40 lines):"
    tail -n 40 "$WORK/gateway.log" >&2 || true
    die "run INVALID in phase $phase:$bad"
  fi
}

orders_created() {
  curl -s --max-time 5 "http://$HOST:$SIM_PORT/_sim/state" | grep -o '"ordersCreated": *[0-9]*' | grep -o '[0-9]*$' || echo "?"
}

run_wrk warmup-gateway "$GATEWAY_URL" "$WARMUP"
run_wrk warmup-direct "$DIRECT_URL" "$WARMUP"
run_wrk direct "$DIRECT_URL" "$DURATION"
orders_before=$(orders_created)
run_wrk gateway "$GATEWAY_URL" "$DURATION"
orders_after=$(orders_created)
ledger_rows=""
if command -v sqlite3 >/dev/null 2>&1; then
  ledger_rows=$(sqlite3 "$WORK/ledger.db" "SELECT status, count(*) FROM purchases GROUP BY status" 2>/dev/null | tr '\n' ' ' || true)
fi
orders_during="?"
[[ $orders_before =~ ^[0-9]+$ && $orders_after =~ ^[0-9]+$ ]] && orders_during=$((orders_after - orders_before))
gateway_warnings=$(grep -cE '^(warn|fail|crit):' "$WORK/gateway.log" || true)
VALID=1

# --- report --------------------------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
little() { awk -v c="$CONNECTIONS" -v rps="$1" 'BEGIN { printf "%.2f", c / rps * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cat <<EOF

## Purchase path: gateway vs direct ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo unknown)), $(uname -sr); dotnet $(dotnet --version); $(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}').
Commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$([[ -n $(git -C "$ROOT" status --porcelain -- src 2>/dev/null) ]] && echo " (src/ has uncommitted changes)").
Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s bench/unique-key.lua\` (fresh Idempotency-Key per request), after ${WARMUP}s warm-up of each path.
Simulator: 1 distributor, capacity 512, service time 0 ms. Gateway: SQLite ledger in a fresh temp dir, log level Warning.

| path | req/s | p50 (ms) | p99 (ms) | mean (ms) = c ÷ req/s | requests | non-2xx |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| direct: simulator \`POST /orders\` | ${R[direct.rps]} | $(ms "${R[direct.p50_us]}") | $(ms "${R[direct.p99_us]}") | $(little "${R[direct.rps]}") | ${R[direct.requests]} | ${R[direct.non2xx3xx]} |
| gateway: \`POST /api/purchases\` | ${R[gateway.rps]} | $(ms "${R[gateway.p50_us]}") | $(ms "${R[gateway.p99_us]}") | $(little "${R[gateway.rps]}") | ${R[gateway.requests]} | ${R[gateway.non2xx3xx]} |
| **ratio gateway/direct** | **$(ratio "${R[gateway.rps]}" "${R[direct.rps]}")** | $(ratio "${R[gateway.p50_us]}" "${R[direct.p50_us]}")× | $(ratio "${R[gateway.p99_us]}" "${R[direct.p99_us]}")× | $(ratio "${R[direct.rps]}" "${R[gateway.rps]}")× | | |

p50/p99 are wrk 4's, which corrects for coordinated omission (it adds synthetic samples for stalls longer than
twice the mean interval per connection), so its tail is pessimistic; the mean column is the true mean latency of a
closed loop of $CONNECTIONS connections (Little's law: connections ÷ throughput).

Checks: every request 2xx, no socket errors; simulator orders created during the gateway phase: ${orders_during} (wrk completed ${R[gateway.requests]}); gateway warn/fail log lines: ${gateway_warnings}${ledger_rows:+; ledger purchases by status: ${ledger_rows% }}.
EOF
