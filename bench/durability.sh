#!/usr/bin/env bash
# Durability's cost (issue 8, item 7): the same closed-loop load through the gateway with the SQLite
# ledger at synchronous=FULL (the default: the claim and the attempt record survive a power loss)
# and at synchronous=NORMAL (--Ledger:SqliteSynchronous=NORMAL), each on a fresh gateway and a fresh
# ledger, against one fast simulated distributor, so the ledger's commits are what is measured.
#
#   bash bench/durability.sh                   # the lead runs this; helpers never do
#   DURATION=3 bash bench/durability.sh        # a smoke run
#
# Printed: a markdown table per mode (issued/s, p50/p99 of issued purchases, answers) and the
# NORMAL/FULL throughput ratio. The ledger sits in a temp dir under /tmp: put WORK_PARENT on the
# disk whose fsync you mean to measure (tmpfs makes FULL and NORMAL look alike).
#
# Knobs: DURATION=30 APPLICANTS=64 TIMEOUT=30 MODES="FULL NORMAL" SIM_PORT=9401 GATEWAY_PORT=8481
# WORK_PARENT=/tmp GATEWAY_ARGS="..." (extra gateway options) KEEP_WORKDIR=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-30}
APPLICANTS=${APPLICANTS:-64}
TIMEOUT=${TIMEOUT:-30}
MODES=${MODES:-FULL NORMAL}
SIM_PORT=${SIM_PORT:-9401}
GATEWAY_PORT=${GATEWAY_PORT:-8481}
WORK_PARENT=${WORK_PARENT:-/tmp}
require_number DURATION APPLICANTS TIMEOUT SIM_PORT GATEWAY_PORT
((DURATION >= 1 && DURATION <= 600)) || die "DURATION from 1 to 600, please"
for m in $MODES; do [[ $m == FULL || $m == NORMAL ]] || die "MODES: FULL and/or NORMAL, not '$m'"; done
command -v curl >/dev/null 2>&1 || die "curl is required"
require_free_ports "$SIM_PORT" "$GATEWAY_PORT"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d "$WORK_PARENT/meterai-durability.XXXXXX")
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$ROOT")
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
GATEWAY_DLL="$(build_release "$ROOT" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
LOADGEN_DLL="$(build_release "$ROOT" loadgen tests/Meterai.LoadGenerator/Meterai.LoadGenerator.csproj)/Meterai.LoadGenerator.dll"

# One distributor far faster than the ledger: no service time, capacity above the load. The gateway
# runs its default configuration (capacity learning on); only the synchronous mode differs.
start simulator dotnet "$SIM_DLL" --count 1 --capacity 512 --service-time-ms 0 --stock 100000000 \
  --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json"
SIM_PID=$STARTED
wait_ready simulator "$SIM_PID" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"

declare -A R

# field LINE KEY: one key=value of a LOADGEN_RESULT line.
field() { tr ' ' '\n' <<<"$1" | grep -E "^$2=" | head -n1 | cut -d= -f2; }

run() {
  local mode=$1 gw_pid line pragma
  log "=== synchronous=$mode"
  rm -rf "$WORK/ledger-$mode" && mkdir -p "$WORK/ledger-$mode"
  start "gateway-$mode" dotnet "$GATEWAY_DLL" --urls "http://$HOST:$GATEWAY_PORT" \
    --Distributors:File="$WORK/registry.json" \
    --ConnectionStrings:Ledger="Data Source=$WORK/ledger-$mode/ledger.db;Pooling=True;Default Timeout=30" \
    --Ledger:SqliteSynchronous="$mode" \
    --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 ${GATEWAY_ARGS:-}
  gw_pid=$STARTED
  wait_ready "gateway-$mode" "$gw_pid" "http://$HOST:$GATEWAY_PORT/readyz"
  smoke "http://$HOST:$GATEWAY_PORT/api/purchases"

  dotnet "$LOADGEN_DLL" --url "http://$HOST:$GATEWAY_PORT/api/purchases" --closed "$APPLICANTS" --duration "$DURATION" \
    --timeout "$TIMEOUT" --label "dur-$mode" >"$WORK/loadgen-$mode.md" 2>"$WORK/loadgen-$mode.progress" \
    || { tail -n 20 "$WORK/loadgen-$mode.progress" >&2 || true; die "the load generator failed (synchronous=$mode)"; }
  alive "$gw_pid" || die "the gateway died (synchronous=$mode)"
  line=$(grep '^LOADGEN_RESULT ' "$WORK/loadgen-$mode.md") || die "the load generator printed no LOADGEN_RESULT line ($mode)"
  R[$mode.rate]=$(field "$line" issued_per_s)
  R[$mode.p50]=$(field "$line" issued_p50_ms)
  R[$mode.p99]=$(field "$line" issued_p99_ms)
  R[$mode.line]=$(tr ' ' '\n' <<<"$line" | grep -E '^(issued_201|s503_retry_after|unanswered)=' | paste -sd' ' -)
  stop "$gw_pid"; forget "$gw_pid"
}

for mode in $MODES; do
  run "$mode"
done
VALID=1

ratio=""
if [[ -n ${R[FULL.rate]:-} && -n ${R[NORMAL.rate]:-} ]]; then
  ratio=$(awk -v n="${R[NORMAL.rate]}" -v f="${R[FULL.rate]}" 'BEGIN { printf "%.2f", f == 0 ? 0 : n / f }')
fi

cat <<EOR

## Durability: SQLite synchronous FULL vs NORMAL, closed loop of $APPLICANTS applicants for ${DURATION}s ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); load average at the start: $LOAD_AT_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE${GATEWAY_ARGS:+, options \`$GATEWAY_ARGS\`}; ledger on $(df -PT "$WORK" | awk 'NR == 2 { print $2 " (" $1 ")" }').
Simulator: 1 distributor, capacity 512, service time 0 ms.

| synchronous | issued/s | issued p50 (ms) | issued p99 (ms) | applicants' answers |
| --- | ---: | ---: | ---: | --- |
$(for m in $MODES; do echo "| $m | ${R[$m.rate]} | ${R[$m.p50]} | ${R[$m.p99]} | ${R[$m.line]} |"; done)
${ratio:+
Throughput NORMAL / FULL: **$ratio** (what FULL costs: 1 − FULL/NORMAL).}
EOR
