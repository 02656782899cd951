#!/usr/bin/env bash
# Surge (issue 5): 10 × C offered for 60 s, open loop, through this gateway and through a naive
# YARP proxy (round-robin, no admission control) in front of the same simulated fleet of known
# capacity C, one after the other in the same run (docs/benchmarks.md, "Surge").
#
#   bash bench/surge.sh
#
# The fleet is bench/surge-fleet.json: 4 distributors × capacity 5 / 200 ms = C = 100 orders/s,
# collapsing past 10 concurrent orders by charging and then hanging (2024's failure). C is
# recomputed from the running simulators' /_sim/state. Each target gets a fresh fleet (fresh stock,
# counters and order books); the gateway a fresh SQLite ledger in a temp dir. The load generator
# is tests/Meterai.LoadGenerator. Peak RSS and open file descriptors of the target are sampled
# every 200 ms (and VmHWM read at the end).
#
# Knobs (environment): MULTIPLE=10 (offered rate = MULTIPLE × C), DURATION=60, TIMEOUT=30 (seconds
# an applicant waits), CONNECTIONS=5000 (the generator's most open connections), TARGETS="gateway
# naive", FLEET=bench/surge-fleet.json, SIM_PORT=9201 GATEWAY_PORT=8281 PROXY_PORT=8282,
# GATEWAY_SRC=<a source tree> builds the gateway from there (e.g. an older commit unpacked with
# `git archive`; GATEWAY_LABEL names it), GATEWAY_ARGS="--Admission:MaxWaitSeconds=0.4" adds
# gateway options (split on spaces), KEEP_WORKDIR=1 keeps logs, ledger and JSON results.
# STORM=N (issue 11): instead of the open loop, a retry storm: N applicants in a closed loop, each
# buying again at once with a fresh Idempotency-Key when answered, 503s included, no think time
# (tests/Meterai.LoadGenerator --closed N). Slot utilisation is then orders charged × service time
# ÷ (slots × duration), read from the simulators.
# WARMUP=0: seconds of the same load, unmeasured, before the measured run. A fresh gateway runs
# tier-0 and then instrumented (PGO) code for its first 20–30 s under a storm on 2 cores, and
# that start costs a third of the storm's goodput (docs/benchmarks.md, "A cold start in a storm");
# WARMUP=20 measures a gateway that was already serving when the rush began, as overhead.sh does.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

MULTIPLE=${MULTIPLE:-10}
DURATION=${DURATION:-60}
TIMEOUT=${TIMEOUT:-30}
CONNECTIONS=${CONNECTIONS:-5000}
TARGETS=${TARGETS:-gateway naive}
FLEET=${FLEET:-$ROOT/bench/surge-fleet.json}
SIM_PORT=${SIM_PORT:-9201}
GATEWAY_PORT=${GATEWAY_PORT:-8281}
PROXY_PORT=${PROXY_PORT:-8282}
GATEWAY_SRC=$(cd "${GATEWAY_SRC:-$ROOT}" && pwd)
STORM=${STORM:-0}
WARMUP=${WARMUP:-0}
require_number STORM WARMUP MULTIPLE DURATION TIMEOUT CONNECTIONS SIM_PORT GATEWAY_PORT PROXY_PORT
((DURATION <= 600 && TIMEOUT <= 120 && WARMUP <= 120)) || die "DURATION ≤ 600, TIMEOUT and WARMUP ≤ 120, please"
[[ -f $FLEET ]] || die "fleet file $FLEET not found"
for t in $TARGETS; do [[ $t == gateway || $t == naive ]] || die "TARGETS: gateway and/or naive, not '$t'"; done
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v dotnet >/dev/null 2>&1 || die "dotnet is required"

FLEET_SIZE=$(grep -c '"id"' "$FLEET")
SIM_PORTS=()
for ((i = 0; i < FLEET_SIZE; i++)); do SIM_PORTS+=($((SIM_PORT + i))); done
require_free_ports "${SIM_PORTS[@]}" "$GATEWAY_PORT" "$PROXY_PORT"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/meterai-surge.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$GATEWAY_SRC")
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
GATEWAY_DLL="$(build_release "$GATEWAY_SRC" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
LOADGEN_DLL="$(build_release "$ROOT" loadgen tests/Meterai.LoadGenerator/Meterai.LoadGenerator.csproj)/Meterai.LoadGenerator.dll"
PROXY_DLL="$(build_release "$ROOT" naive tests/Meterai.NaiveProxy/Meterai.NaiveProxy.csproj)/Meterai.NaiveProxy.dll"
for f in "$SIM_DLL" "$GATEWAY_DLL" "$LOADGEN_DLL" "$PROXY_DLL"; do [[ -f $f ]] || die "build output $f not found"; done

# sample_peak PID FILE: every 200 ms, the highest VmRSS (kB) and open file descriptors so far, and
# at the descriptor peak how many of them were sockets.
sample_peak() {
  local pid=$1 out=$2 rss=0 fds=0 sockets=0 r f
  while alive "$pid"; do
    r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    f=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l || true)
    [[ ${r:-0} -gt $rss ]] && rss=$r
    if [[ ${f:-0} -gt $fds ]]; then
      fds=$f
      sockets=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 -lname 'socket:*' 2>/dev/null | wc -l || true)
    fi
    echo "$rss $fds $sockets" >"$out"
    sleep 0.2
  done
}

declare -A R # results by "<target>.<field>"

run_target() {
  local target=$1 sim_pid target_pid sampler_pid url port line kv hwm
  log "=== $target: fresh fleet from $FLEET on $HOST:${SIM_PORTS[0]}..${SIM_PORTS[-1]}"
  rm -f "$WORK/registry.json"
  start "sim-$target" dotnet "$SIM_DLL" --config "$FLEET" --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json"
  sim_pid=$STARTED
  wait_ready "sim-$target" "$sim_pid" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"
  C=$(fleet_capacity)
  RATE=$(awk -v c="$C" -v m="$MULTIPLE" 'BEGIN { printf "%.0f", c * m }')
  R[$target.c]=$C
  R[$target.rate]=$RATE

  if [[ $target == gateway ]]; then
    port=$GATEWAY_PORT
    mkdir -p "$WORK/ledger"
    log "starting the gateway on $HOST:$port (ledger $WORK/ledger/ledger.db)"
    start gateway dotnet "$GATEWAY_DLL" --urls "http://$HOST:$port" \
      --Distributors:File="$WORK/registry.json" \
      --ConnectionStrings:Ledger="Data Source=$WORK/ledger/ledger.db" \
      --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 ${GATEWAY_ARGS:-}
    target_pid=$STARTED
    wait_ready gateway "$target_pid" "http://$HOST:$port/readyz"
  else
    port=$PROXY_PORT
    log "starting the naive proxy on $HOST:$port"
    start naive dotnet "$PROXY_DLL" --registry "$WORK/registry.json" --urls "http://$HOST:$port"
    target_pid=$STARTED
    wait_ready naive "$target_pid" "http://$HOST:$port/_proxy/health"
  fi
  url="http://$HOST:$port/api/purchases"
  smoke "$url"

  sample_peak "$target_pid" "$WORK/peak-$target.txt" &
  sampler_pid=$!
  PIDS+=("$sampler_pid")

  local load=(--rate "$RATE")
  if ((STORM > 0)); then
    load=(--closed "$STORM")
    log "$target: retry storm, $STORM applicants in a closed loop (C = $C/s) for ${DURATION}s, timeout ${TIMEOUT}s"
  else
    log "$target: open loop ${RATE}/s (= $MULTIPLE × C, C = $C/s) for ${DURATION}s, timeout ${TIMEOUT}s"
  fi
  # offer SECONDS LABEL [ARGS...]: the load above, for SECONDS, then every answer awaited up to TIMEOUT.
  offer() {
    local seconds=$1 label=$2
    shift 2
    timeout $((seconds + TIMEOUT + 60)) dotnet "$LOADGEN_DLL" --url "$url" "${load[@]}" --duration "$seconds" \
      --timeout "$TIMEOUT" --connections "$CONNECTIONS" --capacity "$C" --mode gateway --label "$label" "$@"
  }
  if ((WARMUP > 0)); then
    log "$target: warming up for ${WARMUP}s with the same load, not measured"
    offer "$WARMUP" "warmup-$target" >"$WORK/warmup-$target.md" 2>&1 || die "the load generator failed warming up $target"
  fi
  local created_before=0 p0
  for p0 in "${SIM_PORTS[@]}"; do created_before=$((created_before + $(sim_field "$p0" ordersCreated))); done
  offer "$DURATION" "surge-$target" --json "$WORK/loadgen-$target.json" \
    >"$WORK/loadgen-$target.md" 2> >(tee "$WORK/loadgen-$target.progress" >&2) \
    || die "the load generator failed against $target"
  line=$(grep '^LOADGEN_RESULT ' "$WORK/loadgen-$target.md") || die "the load generator printed no LOADGEN_RESULT line"
  for kv in ${line#LOADGEN_RESULT }; do R["$target.${kv%%=*}"]=${kv#*=}; done
  sed 's/^/    /' "$WORK/loadgen-$target.md" >&2

  # What the distributors saw: orders charged, and the most orders each had at once vs its limit.
  local created=0 inflight="" over=0 p cap max
  for p in "${SIM_PORTS[@]}"; do
    created=$((created + $(sim_field "$p" ordersCreated)))
    cap=$(sim_field "$p" capacity)
    max=$(sim_field "$p" maxObservedConcurrency)
    inflight+="${inflight:+ }$max/$cap"
    ((max > cap)) && over=$((over + 1))
  done
  alive "$sim_pid" || die "the simulator died during the $target run"
  R[$target.created]=$((created - created_before))
  # Busy slot-seconds the distributors served over the slot-seconds they had: each charged order
  # held a slot for one service time (the smoke purchase and the warm-up before the run are left out).
  R[$target.utilisation]=$(awk -v n="${R[$target.created]}" -v c="$C" -v d="$DURATION" 'BEGIN { printf "%.2f", n / (c * d) }')
  R[$target.inflight]=$inflight
  R[$target.over]=$over
  R[$target.died]=$(alive "$target_pid" && echo no || echo YES)

  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$target_pid/status" 2>/dev/null || echo 0)
  read -r rss fds sockets <"$WORK/peak-$target.txt" || { rss=0; fds=0; sockets=0; }
  ((hwm > rss)) && rss=$hwm
  R[$target.rss_mb]=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
  R[$target.fds]="$fds ($sockets sockets)"
  if [[ $target == gateway ]] && command -v sqlite3 >/dev/null 2>&1; then
    R[gateway.ledger]=$(sqlite3 "$WORK/ledger/ledger.db" "SELECT status || ' ' || count(*) FROM purchases GROUP BY status" 2>/dev/null | paste -sd, - | sed 's/,/, /g' || true)
  fi
  R[$target.warnings]=$(grep -cE '^(warn|fail|crit):' "$WORK/$target.log" || true)

  stop "$target_pid"; forget "$target_pid"
  stop "$sampler_pid"; forget "$sampler_pid"
  stop "$sim_pid"; forget "$sim_pid"
}

for target in $TARGETS; do
  run_target "$target"
done
VALID=1

# --- report --------------------------------------------------------------------------------------
f1() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
f0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
share() { awk -v g="$1" -v c="$2" 'BEGIN { printf "%.2f", g / c }'; }
name() { [[ $1 == gateway ]] && echo "this gateway" || echo "naive YARP proxy"; }
first=$(echo "$TARGETS" | awk '{ print $1 }')
service_ms=$(grep -o '"serviceTime": *"[^"]*"' "$FLEET" | head -n1 | cut -d'"' -f4 | awk '{ split($0, p, ":"); printf "%.0f", (p[1] * 3600 + p[2] * 60 + p[3]) * 1000 }')

cat <<EOF

## Surge: $( ((STORM > 0)) && echo "retry storm, $STORM applicants, closed loop" || echo "${R[$first.rate]}/s (= $MULTIPLE × C)") for ${DURATION}s ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); load average at the start: $LOAD_AT_START, before the report: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE${GATEWAY_ARGS:+, options \`$GATEWAY_ARGS\`}. Fleet: \`${FLEET#"$ROOT"/}\`, $FLEET_SIZE distributors, C = ${R[$first.c]} orders/s (capacity / service time, summed), service time $service_ms ms.
Load: \`tests/Meterai.LoadGenerator $( ((STORM > 0)) && echo "--closed $STORM" || echo "--rate ${R[$first.rate]}") --duration $DURATION --timeout $TIMEOUT --connections $CONNECTIONS\`, $( ((STORM > 0)) && echo "closed loop, each applicant buying again at once" || echo "open loop"), fresh Idempotency-Key per request.

| | $(for t in $TARGETS; do printf '%s | ' "$(name "$t")"; done)
| --- | $(for _ in $TARGETS; do printf -- '---: | '; done)
| requests sent | $(for t in $TARGETS; do printf '%s | ' "${R[$t.sent]}"; done)
| **slot utilisation** (charged × service time ÷ slot-seconds; storm target ≥ 0.95) | $(for t in $TARGETS; do printf '**%s** | ' "${R[$t.utilisation]}"; done)
| goodput (201 + 202) /s | $(for t in $TARGETS; do printf '%s | ' "$(f1 "${R[$t.goodput]}")"; done)
| **goodput / C** (target ≥ 0.95) | $(for t in $TARGETS; do printf '**%s** | ' "$(share "${R[$t.goodput]}" "${R[$t.c]}")"; done)
| 201 issued | $(for t in $TARGETS; do printf '%s | ' "${R[$t.issued_201]}"; done)
| p50 / p99 of issued, ms (p99 target ≤ $((3 * service_ms))) | $(for t in $TARGETS; do printf '%s / %s | ' "$(f0 "${R[$t.issued_p50_ms]}")" "$(f0 "${R[$t.issued_p99_ms]}")"; done)
| 503 with Retry-After | $(for t in $TARGETS; do printf '%s | ' "${R[$t.s503_retry_after]}"; done)
| 503 without Retry-After | $(for t in $TARGETS; do printf '%s | ' "${R[$t.s503_no_retry_after]}"; done)
| ambiguous: 202 / other 5xx / transport errors | $(for t in $TARGETS; do printf '%s / %s / %s | ' "${R[$t.pending_202]}" "${R[$t.other_5xx]}" "${R[$t.transport_error]}"; done)
| other 4xx | $(for t in $TARGETS; do printf '%s | ' "${R[$t.other_4xx]}"; done)
| **unanswered** after ${TIMEOUT}s (target 0) | $(for t in $TARGETS; do printf '**%s** | ' "${R[$t.unanswered]}"; done)
| orders charged by the distributors in the measured run | $(for t in $TARGETS; do printf '%s | ' "${R[$t.created]}"; done)
| charged without a 201 to the applicant | $(for t in $TARGETS; do printf '%s | ' "$((R[$t.created] - R[$t.issued_201]))"; done)
| most orders in flight per distributor / limit (target: none over) | $(for t in $TARGETS; do printf '%s (%s over) | ' "${R[$t.inflight]}" "${R[$t.over]}"; done)
| peak RSS of the target, MB (target ≤ 300) | $(for t in $TARGETS; do printf '%s | ' "${R[$t.rss_mb]}"; done)
| peak open file descriptors of the target | $(for t in $TARGETS; do printf '%s | ' "${R[$t.fds]}"; done)
| target process died during the run | $(for t in $TARGETS; do printf '%s | ' "${R[$t.died]}"; done)
| warn/fail/crit log lines of the target | $(for t in $TARGETS; do printf '%s | ' "${R[$t.warnings]}"; done)
| generator lateness mean / max, ms | $(for t in $TARGETS; do printf '%s / %s | ' "$(f1 "${R[$t.lag_mean_ms]}")" "$(f0 "${R[$t.lag_max_ms]}")"; done)

Goodput = (201 + 202) ÷ the run's selling time (start to the later of end of sending and the last 201/202).
Latency is measured from each request's due time. "Charged without a 201" = orders the distributors created
in the measured run (after the smoke purchase and any warm-up) minus its 201 answers; through the gateway these stay in its ledger for
reconciliation${R[gateway.ledger]:+ (ledger at the end: ${R[gateway.ledger]})}, through the naive proxy nobody tracks them.
EOF
