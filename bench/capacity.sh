#!/usr/bin/env bash
# Capacity (issue 10): does the gateway sell at the fleet's real capacity when the registry lies?
# Each scenario runs on the default configuration (learning on) and, labelled as not the default,
# with --Capacity:Learning=false beside it (LEARNING="on" runs the default only), against a fresh fleet
# (bench/capacity-fleet.json: 4 distributors × 4 concurrent orders / 100 ms, C = 160 orders/s,
# slower past 4, 503 past 8) and a fresh gateway, with a closed-loop surge of APPLICANTS applicants
# (tests/Meterai.LoadGenerator --closed), each buying again at once with a fresh Idempotency-Key.
#
#   bash bench/capacity.sh                      # the lead runs this; helpers never do
#   DURATION=5 SCENARIOS=overstated LEARNING=on bash bench/capacity.sh   # a smoke run
#
# Scenarios (SCENARIOS="overstated truthful halves"):
#   overstated  the registry declares maxConcurrency 32 for each distributor, real capacity 4
#   truthful    the registry declares the real capacity (4)
#   halves      registry 32; at DURATION/2 every distributor's capacity halves to 2 (PUT /_sim/behavior),
#               goodput measured from 10 s after the change to the end, against the new capacity
# Printed per run: goodput / C (the distributors' own order counts over the run's seconds) and the
# share of orders that reached a distributor past its real capacity (/_sim/state ordersPastCapacity
# over orders that reached it). Targets (issue 10): ≥ 0.9, ≤ 5 %, truthful no lower than 0.98.
#
# Knobs: DURATION=60 APPLICANTS=200 TIMEOUT=30 SCENARIOS LEARNING="on off" DECLARED=32
# SIM_PORT=9301 GATEWAY_PORT=8381 GATEWAY_ARGS="..." (extra gateway options) KEEP_WORKDIR=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-60}
APPLICANTS=${APPLICANTS:-200}
TIMEOUT=${TIMEOUT:-30}
DECLARED=${DECLARED:-32}
SCENARIOS=${SCENARIOS:-overstated truthful halves}
LEARNING=${LEARNING:-on off}
FLEET=$ROOT/bench/capacity-fleet.json
SIM_PORT=${SIM_PORT:-9301}
GATEWAY_PORT=${GATEWAY_PORT:-8381}
require_number DURATION APPLICANTS TIMEOUT DECLARED SIM_PORT GATEWAY_PORT
((DURATION >= 5 && DURATION <= 600)) || die "DURATION from 5 to 600, please"
for s in $SCENARIOS; do [[ $s =~ ^(overstated|truthful|halves)$ ]] || die "SCENARIOS: overstated, truthful, halves; not '$s'"; done
for l in $LEARNING; do [[ $l == on || $l == off ]] || die "LEARNING: on and/or off, not '$l'"; done
command -v curl >/dev/null 2>&1 || die "curl is required"

FLEET_SIZE=$(grep -c '"id"' "$FLEET")
SIM_PORTS=()
for ((i = 0; i < FLEET_SIZE; i++)); do SIM_PORTS+=($((SIM_PORT + i))); done
require_free_ports "${SIM_PORTS[@]}" "$GATEWAY_PORT"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/meterai-capacity.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$ROOT")
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
GATEWAY_DLL="$(build_release "$ROOT" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
LOADGEN_DLL="$(build_release "$ROOT" loadgen tests/Meterai.LoadGenerator/Meterai.LoadGenerator.csproj)/Meterai.LoadGenerator.dll"

# capacity_now: orders/s the fleet really serves now (capacity / service time, summed).
capacity_now() {
  local p total=0 cap
  for p in "${SIM_PORTS[@]}"; do
    cap=$(sim_field "$p" capacity)
    total=$(awk -v t="$total" -v c="$cap" 'BEGIN { printf "%.3f", t + c / 0.1 }')
  done
  echo "$total"
}

declare -A R

run() {
  local scenario=$1 learning=$2 key="$1.$2" sim_pid gw_pid load_pid t0 created0 created_half past arrived
  log "=== $scenario, learning $learning"
  rm -f "$WORK/registry.json"
  start "sim-$key" dotnet "$SIM_DLL" --config "$FLEET" --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json"
  sim_pid=$STARTED
  wait_ready "sim-$key" "$sim_pid" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"
  if [[ $scenario != truthful ]]; then
    sed -E -i "s/\"maxConcurrency\": *[0-9]+/\"maxConcurrency\": $DECLARED/" "$WORK/registry.json"
  fi

  rm -rf "$WORK/ledger" && mkdir -p "$WORK/ledger"
  # Learning on is the default configuration: nothing is passed for it. Off is the labelled comparison.
  local off=()
  [[ $learning == off ]] && off=(--Capacity:Learning=false)
  start "gateway-$key" dotnet "$GATEWAY_DLL" --urls "http://$HOST:$GATEWAY_PORT" \
    --Distributors:File="$WORK/registry.json" \
    --ConnectionStrings:Ledger="Data Source=$WORK/ledger/ledger.db" \
    "${off[@]}" \
    --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 ${GATEWAY_ARGS:-}
  gw_pid=$STARTED
  wait_ready "gateway-$key" "$gw_pid" "http://$HOST:$GATEWAY_PORT/readyz"
  smoke "http://$HOST:$GATEWAY_PORT/api/purchases"
  for p in "${SIM_PORTS[@]}"; do curl -s -o /dev/null --max-time 5 -X PUT "http://$HOST:$p/_sim/behavior" -H 'Content-Type: application/json' -d '{}'; done
  created0=$(fleet_sum ordersCreated)
  local past0 rejected0
  past0=$(fleet_sum ordersPastCapacity)
  rejected0=$(fleet_sum overloadRejections)
  local c0
  c0=$(capacity_now)

  dotnet "$LOADGEN_DLL" --url "http://$HOST:$GATEWAY_PORT/api/purchases" --closed "$APPLICANTS" --duration "$DURATION" \
    --timeout "$TIMEOUT" --capacity "$c0" --label "cap-${scenario:0:4}-$learning" \
    >"$WORK/loadgen-$key.md" 2>"$WORK/loadgen-$key.progress" &
  load_pid=$!
  PIDS+=("$load_pid")
  t0=$SECONDS
  local c1=$c0 window=$DURATION created_from=$created0
  if [[ $scenario == halves ]]; then
    sleep $((DURATION / 2))
    for p in "${SIM_PORTS[@]}"; do
      curl -s -o /dev/null --max-time 5 -X PUT "http://$HOST:$p/_sim/behavior" -H 'Content-Type: application/json' -d '{"capacity": 2}'
    done
    c1=$(capacity_now)
    log "capacity halved at $((SECONDS - t0)) s: C = $c1/s"
    sleep 10
    created_from=$(fleet_sum ordersCreated)
    window=$((DURATION - DURATION / 2 - 10))
    ((window >= 1)) || window=1
  fi
  wait "$load_pid" || die "the load generator failed ($scenario, learning $learning)"
  forget "$load_pid"
  local created_end
  created_end=$(fleet_sum ordersCreated)
  past=$(( $(fleet_sum ordersPastCapacity) - past0 ))
  arrived=$(( created_end - created0 + $(fleet_sum overloadRejections) - rejected0 ))
  R[$key.goodput]=$(awk -v n="$((created_end - created_from))" -v s="$window" -v c="$c1" 'BEGIN { printf "%.2f", n / s / c }')
  R[$key.past]=$(awk -v p="$past" -v a="$arrived" 'BEGIN { printf "%.1f %%", a == 0 ? 0 : 100 * p / a }')
  R[$key.orders]=$arrived
  R[$key.line]=$(grep '^LOADGEN_RESULT ' "$WORK/loadgen-$key.md" | tr ' ' '\n' | grep -E '^(issued_201|s503_retry_after|unanswered|issued_p99_ms)=' | paste -sd' ' -)
  alive "$sim_pid" || die "the simulator died ($scenario, learning $learning)"
  stop "$gw_pid"; forget "$gw_pid"
  stop "$sim_pid"; forget "$sim_pid"
}

for scenario in $SCENARIOS; do
  for learning in $LEARNING; do
    run "$scenario" "$learning"
  done
done
VALID=1

cat <<EOF

## Capacity: closed loop of $APPLICANTS applicants for ${DURATION}s ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); load average at the start: $LOAD_AT_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE${GATEWAY_ARGS:+, options \`$GATEWAY_ARGS\`}. Fleet: \`bench/capacity-fleet.json\`, $FLEET_SIZE × capacity 4 / 100 ms (C = 160/s), registry declares $DECLARED unless truthful.

| scenario | learning | goodput / C (target ≥ 0.9; truthful ≥ 0.98) | orders past real capacity (target ≤ 5 %) | orders reaching distributors | applicants' answers |
| --- | --- | ---: | ---: | ---: | --- |
$(for s in $SCENARIOS; do for l in $LEARNING; do echo "| $s | $([[ $l == on ]] && echo 'on (the default)' || echo 'off (`Capacity:Learning=false`, not the default)') | ${R[$s.$l.goodput]} | ${R[$s.$l.past]} | ${R[$s.$l.orders]} | ${R[$s.$l.line]} |"; done; done)

Goodput counts the orders the distributors created (charged) per second, over the whole run, or for
\`halves\` from 10 s after the capacity change to the end, against the capacity then.
EOF
