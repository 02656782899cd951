#!/usr/bin/env bash
# Fairness in a rush (issue 28): are applicants served in the order they first arrived, whatever
# they do while they wait? 480 applicants arrive open-loop at 2 × C over 8 s in front of a fleet of
# known capacity C = 30 orders/s. Each keeps one Idempotency-Key until a final answer (201, 202, or
# a 4xx other than 409/429) or 120 s. Every other applicant is polite (waits the Retry-After it is
# given, 1 s without one); the others retry every 0.25 s whatever they are told.
#
#   bash bench/fairness.sh                        # one gateway, default configuration, SQLite
#   GATEWAYS=3 POSTGRES=1 bash bench/fairness.sh  # three gateways on one PostgreSQL ledger
#
# The fleet is bench/fairness-fleet.json: 3 distributors × 2 orders at once / 200 ms = C = 30
# orders/s, recomputed from the running simulators' /_sim/state. The gateway runs its default
# configuration on a fresh SQLite ledger in a temp dir (or, with POSTGRES=1, a private PostgreSQL
# cluster as bench/cluster.sh starts it). With several gateways the load generator spreads every
# applicant's requests round-robin over them (--targets), so a retry often reaches another
# instance than the one that answered before. Measured by tests/Meterai.LoadGenerator --fair:
# per group the median and p90 wait (arrival to the final 201/202) and requests per applicant;
# the rank correlation of arrival and service; goodput over first arrival to last sale; and the
# 503 bodies' `position` / `estimatedWaitSeconds` and the Retry-After given.
#
# Knobs (environment): APPLICANTS=480, MULTIPLE=2 (arrivals per second = MULTIPLE × C),
# POLITE_SHARE=0.5, HAMMER_INTERVAL=0.25 (seconds), TIMEOUT=120 (seconds an applicant tries),
# GATEWAYS=1 (more than 1 needs POSTGRES=1), POSTGRES=0, CONNECTIONS=5000, FLEET=<a fleet file>,
# SIM_PORT=9251 GATEWAY_PORT=8351 (and up) PG_PORT=8395, GATEWAY_SRC=<a source tree> (GATEWAY_LABEL
# names it), GATEWAY_ARGS="--Admission:MaxWaitSeconds=0.4" adds gateway options (split on spaces),
# KEEP_WORKDIR=1 keeps logs, ledger and the JSON result.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

APPLICANTS=${APPLICANTS:-480}
MULTIPLE=${MULTIPLE:-2}
POLITE_SHARE=${POLITE_SHARE:-0.5}
HAMMER_INTERVAL=${HAMMER_INTERVAL:-0.25}
TIMEOUT=${TIMEOUT:-120}
GATEWAYS=${GATEWAYS:-1}
POSTGRES=${POSTGRES:-0}
CONNECTIONS=${CONNECTIONS:-5000}
FLEET=${FLEET:-$ROOT/bench/fairness-fleet.json}
SIM_PORT=${SIM_PORT:-9251}
GATEWAY_PORT=${GATEWAY_PORT:-8351}
PG_PORT=${PG_PORT:-8395}
GATEWAY_SRC=$(cd "${GATEWAY_SRC:-$ROOT}" && pwd)
require_number APPLICANTS MULTIPLE TIMEOUT GATEWAYS POSTGRES CONNECTIONS SIM_PORT GATEWAY_PORT PG_PORT
[[ $POLITE_SHARE =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || die "POLITE_SHARE is a share from 0 to 1, not '$POLITE_SHARE'"
[[ $HAMMER_INTERVAL =~ ^[0-9]*\.?[0-9]+$ ]] || die "HAMMER_INTERVAL is seconds, not '$HAMMER_INTERVAL'"
((APPLICANTS >= 2 && APPLICANTS <= 100000)) || die "APPLICANTS from 2 to 100000, please"
((MULTIPLE >= 1 && TIMEOUT >= 1 && TIMEOUT <= 600)) || die "MULTIPLE ≥ 1 and TIMEOUT from 1 to 600, please"
((GATEWAYS >= 1 && GATEWAYS <= 9)) || die "GATEWAYS from 1 to 9, not '$GATEWAYS'"
((GATEWAYS == 1 || POSTGRES == 1)) || die "several gateways share one ledger: GATEWAYS=$GATEWAYS needs POSTGRES=1"
[[ -f $FLEET ]] || die "fleet file $FLEET not found"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v dotnet >/dev/null 2>&1 || die "dotnet is required"

FLEET_SIZE=$(grep -c '"id"' "$FLEET")
SIM_PORTS=()
for ((i = 0; i < FLEET_SIZE; i++)); do SIM_PORTS+=($((SIM_PORT + i))); done
GATEWAY_PORTS=()
for ((i = 0; i < GATEWAYS; i++)); do GATEWAY_PORTS+=($((GATEWAY_PORT + i))); done
require_free_ports "${SIM_PORTS[@]}" "${GATEWAY_PORTS[@]}" $( ((POSTGRES == 1)) && echo "$PG_PORT")

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/meterai-fairness.XXXXXX)
chmod 755 "$WORK" # the postgres user reads its cluster directory below
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$GATEWAY_SRC")
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
GATEWAY_DLL="$(build_release "$GATEWAY_SRC" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
LOADGEN_DLL="$(build_release "$ROOT" loadgen tests/Meterai.LoadGenerator/Meterai.LoadGenerator.csproj)/Meterai.LoadGenerator.dll"
for f in "$SIM_DLL" "$GATEWAY_DLL" "$LOADGEN_DLL"; do [[ -f $f ]] || die "build output $f not found"; done

log "fleet from $FLEET on $HOST:${SIM_PORTS[0]}..${SIM_PORTS[-1]}"
start sim dotnet "$SIM_DLL" --config "$FLEET" --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json"
SIM_PID=$STARTED
wait_ready sim "$SIM_PID" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"
C=$(fleet_capacity)
RATE=$(awk -v c="$C" -v m="$MULTIPLE" 'BEGIN { printf "%.0f", c * m }')

if ((POSTGRES == 1)); then
  start_postgres "$WORK/pg" "$PG_PORT"
  LEDGER=(--Ledger:Provider=postgres --ConnectionStrings:Ledger="$PG_CONNECTION")
  LEDGER_NAME="PostgreSQL (private cluster, fsync on)"
else
  mkdir -p "$WORK/ledger"
  LEDGER=(--ConnectionStrings:Ledger="Data Source=$WORK/ledger/ledger.db")
  LEDGER_NAME="SQLite, fresh file"
fi

# The default configuration: only where to listen, the fleet, the ledger and quiet logs are set.
GATEWAY_PIDS=()
TARGETS=""
for port in "${GATEWAY_PORTS[@]}"; do
  log "starting a gateway on $HOST:$port"
  start "gateway-$port" dotnet "$GATEWAY_DLL" --urls "http://$HOST:$port" --Distributors:File="$WORK/registry.json" \
    "${LEDGER[@]}" --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 ${GATEWAY_ARGS:-}
  GATEWAY_PIDS+=("$STARTED")
  # One at a time: the first migrates the ledger, the others find the schema current.
  wait_ready "gateway-$port" "$STARTED" "http://$HOST:$port/readyz"
  smoke "http://$HOST:$port/api/purchases"
  TARGETS+="${TARGETS:+,}http://$HOST:$port/api/purchases"
done

CREATED_BEFORE=$(fleet_sum ordersCreated)
log "$APPLICANTS applicants at ${RATE}/s (= $MULTIPLE × C, C = $C/s), polite share $POLITE_SHARE, hammering every ${HAMMER_INTERVAL}s, giving up after ${TIMEOUT}s, through $GATEWAYS gateway(s)"
ARRIVAL_SECONDS=$(awk -v n="$APPLICANTS" -v r="$RATE" 'BEGIN { printf "%.0f", n / r + 1 }')
timeout $((ARRIVAL_SECONDS + TIMEOUT + 60)) dotnet "$LOADGEN_DLL" --targets "$TARGETS" --fair "$APPLICANTS" --rate "$RATE" \
  --polite-share "$POLITE_SHARE" --hammer-interval "$HAMMER_INTERVAL" --timeout "$TIMEOUT" --connections "$CONNECTIONS" \
  --capacity "$C" --label fairness --json "$WORK/fairness.json" \
  >"$WORK/loadgen.md" 2> >(tee "$WORK/loadgen.progress" >&2) || die "the load generator failed"
line=$(grep '^LOADGEN_RESULT ' "$WORK/loadgen.md") || die "the load generator printed no LOADGEN_RESULT line"
declare -A R
for kv in ${line#LOADGEN_RESULT }; do R[${kv%%=*}]=${kv#*=}; done
sed 's/^/    /' "$WORK/loadgen.md" >&2

# What the distributors saw: orders charged, and the most orders each had at once vs its limit.
alive "$SIM_PID" || die "the simulator died during the run"
CREATED=$(($(fleet_sum ordersCreated) - CREATED_BEFORE))
INFLIGHT="" OVER=0
for p in "${SIM_PORTS[@]}"; do
  cap=$(sim_field "$p" capacity)
  max=$(sim_field "$p" maxObservedConcurrency)
  INFLIGHT+="${INFLIGHT:+ }$max/$cap"
  ((max > cap)) && OVER=$((OVER + 1))
done
DIED=0 WARNINGS=0
for pid in "${GATEWAY_PIDS[@]}"; do alive "$pid" || DIED=$((DIED + 1)); done
for port in "${GATEWAY_PORTS[@]}"; do WARNINGS=$((WARNINGS + $(grep -cE '^(warn|fail|crit):' "$WORK/gateway-$port.log" || true))); done
LEDGER_STATE=""
if ((POSTGRES == 1)); then
  LEDGER_STATE=$("${PG_AS[@]}" "$PG_BIN/psql" -At -h "$HOST" -p "$PG_PORT" -U postgres -d meterai \
    -c "SELECT status || ' ' || count(*) FROM purchases GROUP BY status" 2>/dev/null | paste -sd, - | sed 's/,/, /g' || true)
elif command -v sqlite3 >/dev/null 2>&1; then
  LEDGER_STATE=$(sqlite3 "$WORK/ledger/ledger.db" "SELECT status || ' ' || count(*) FROM purchases GROUP BY status" 2>/dev/null | paste -sd, - | sed 's/,/, /g' || true)
fi
VALID=1

# --- report --------------------------------------------------------------------------------------
f() { [[ $2 == nan ]] && echo "–" || awk -v x="$2" -v d="$1" 'BEGIN { printf "%." d "f", x }'; }
# verdict VALUE OP LIMIT: "met" or "missed" (a missing value, nan, misses).
verdict() { [[ $1 == nan ]] && { echo missed; return; }; awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<=" ? v <= l : v >= l; print ok ? "met" : "missed" }'; }
if ((GATEWAYS > 1)); then RATIO_MAX=1.25 RANK_MIN=0.9; else RATIO_MAX=1.1 RANK_MIN=0.95; fi
SHARE=$(awk -v g="${R[goodput]}" -v c="$C" 'BEGIN { printf "%.3f", g / c }')
STATUSES=$(for k in "${!R[@]}"; do if [[ $k == status_* ]]; then echo "${k#status_} ${R[$k]}"; fi; done | sort -n | awk '{ printf "%s%s: %s", (NR > 1 ? ", " : ""), ($1 == 0 ? "none" : $1), $2 }')
service_ms=$(grep -o '"serviceTime": *"[^"]*"' "$FLEET" | head -n1 | cut -d'"' -f4 | awk '{ split($0, p, ":"); printf "%.0f", (p[1] * 3600 + p[2] * 60 + p[3]) * 1000 }')

cat <<EOF

## Fairness: $APPLICANTS applicants at $MULTIPLE × C, $(awk -v s="$POLITE_SHARE" 'BEGIN { printf "%.0f", s * 100 }') % polite, through $GATEWAYS gateway(s) ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); load average at the start: $LOAD_AT_START, before the report: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE, default configuration${GATEWAY_ARGS:+ plus \`$GATEWAY_ARGS\`}, ledger $LEDGER_NAME. Fleet: \`${FLEET#"$ROOT"/}\`, $FLEET_SIZE distributors, C = $C orders/s, service time $service_ms ms.
Load: \`tests/Meterai.LoadGenerator --fair $APPLICANTS --rate $RATE --polite-share $POLITE_SHARE --hammer-interval $HAMMER_INTERVAL --timeout $TIMEOUT --targets …\`, one Idempotency-Key per applicant$( ((GATEWAYS > 1)) && echo ", each request to the next of the $GATEWAYS gateways (round robin)").
Command: \`$( ((GATEWAYS > 1 || POSTGRES == 1)) && echo "GATEWAYS=$GATEWAYS POSTGRES=$POSTGRES ")bash bench/fairness.sh\`.

| measure | polite | hammering |
| --- | ---: | ---: |
| applicants / served / unserved | ${R[polite_applicants]} / ${R[polite_served]} / ${R[polite_unserved]} | ${R[hammering_applicants]} / ${R[hammering_served]} / ${R[hammering_unserved]} |
| wait p50, s | $(f 2 "${R[polite_wait_p50_s]}") | $(f 2 "${R[hammering_wait_p50_s]}") |
| wait p90, s | $(f 2 "${R[polite_wait_p90_s]}") | $(f 2 "${R[hammering_wait_p90_s]}") |
| requests per applicant | $(f 2 "${R[polite_requests_per_applicant]}") | $(f 2 "${R[hammering_requests_per_applicant]}") |

| measure | value | target | |
| --- | ---: | ---: | --- |
| **polite ÷ hammering median wait** | **$(f 2 "${R[wait_ratio]}")** | ≤ $RATIO_MAX | $(verdict "${R[wait_ratio]}" "<=" "$RATIO_MAX") |
| **rank correlation, arrival vs service** (Spearman) | **$(f 3 "${R[rank_correlation]}")** | ≥ $RANK_MIN | $(verdict "${R[rank_correlation]}" ">=" "$RANK_MIN") |
| **goodput ÷ C** (sales from first arrival to last sale) | **$SHARE** ($(f 1 "${R[goodput]}")/s over $(f 1 "${R[selling_seconds]}") s) | ≥ 0.95 | $(verdict "$SHARE" ">=" 0.95) |
| **polite requests per applicant** | **$(f 2 "${R[polite_requests_per_applicant]}")** | ≤ 3 | $(verdict "${R[polite_requests_per_applicant]}" "<=" 3) |
| requests per applicant, both groups | $(awk -v r="${R[requests]}" -v a="${R[applicants]}" 'BEGIN { printf "%.2f", r / a }') | | |
| sales: 201 / 202; refused (other 4xx) | ${R[issued_201]} / ${R[pending_202]}; ${R[refused]} | | |
| requests in all; answers by status | ${R[requests]}; $STATUSES | | |
| 503 bodies with / without \`position\` and \`estimatedWaitSeconds\` | ${R[placed_503]} / ${R[unplaced_503]} | all with | $( ((R[unplaced_503] == 0 && R[placed_503] > 0)) && echo met || echo missed) |
| Retry-After given; median, s | ${R[retry_after_given]}; $(f 1 "${R[retry_after_p50_s]}") | | |
| orders charged by the distributors (after the smoke purchases) | $CREATED | = sales | $( ((CREATED == R[issued_201] + R[pending_202])) && echo met || echo missed) |
| most orders in flight per distributor / limit | $INFLIGHT ($OVER over) | none over | $( ((OVER == 0)) && echo met || echo missed) |
| gateways that died / warn+ log lines | $DIED / $WARNINGS | | |

Wait = from an applicant's arrival (its first request's due time) to its final 201/202 answer. Service order = the
order in which those answers completed. Unserved = no 201/202 within ${TIMEOUT}s. Ledger at the end: ${LEDGER_STATE:-not read}.
Issue 28's baseline (one gateway, before places): polite ÷ hammering 4.4 (6.4 s against 1.4 s; p90 11.4 s against 6.2 s),
rank correlation 0.52, 7.8 requests per applicant, median Retry-After 1 s, goodput 0.96 C.
EOF
