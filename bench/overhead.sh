#!/usr/bin/env bash
# Overhead (issue 5): the same purchase over four paths in one run, against one fast simulated
# distributor (docs/benchmarks.md, "Overhead"):
#   (a) directly to the simulator's POST /orders
#   (b) through nginx (Debian's package, one worker, upstream keepalive), a plain passthrough
#   (c) through plain YARP (tests/Meterai.NaiveProxy --passthrough), a plain passthrough
#   (d) through this gateway's POST /api/purchases, with its SQLite ledger
#
#   bash bench/overhead.sh
#
# Two loads per path, all with a fresh Idempotency-Key per request (bench/unique-key.lua):
#   - throughput: wrk -t2 -c32 closed loop, DURATION seconds, ROUNDS rounds of a, b, c, d in turn
#     (the simulator keeps every order in memory, so later phases pay for earlier ones: rounds
#     show how much that moves the numbers);
#   - unloaded latency: wrk -t1 -c1 for LATENCY_DURATION seconds, one request at a time, so p50
#     is the time a path adds, without queueing.
# Installs wrk and nginx with apt-get if missing; nginx runs from a generated config in a temp dir
# (worker_processes 1, listening on 127.0.0.1 only), never as the system service.
#
# Knobs (environment): ROUNDS=2 DURATION=15 WARMUP=20 LATENCY_DURATION=10 THREADS=2 CONNECTIONS=32,
# LEARNING_OFF=1 (adds path (g), the gateway with Capacity:Learning=false, labelled as not the default),
# SIM_PORT=9301 NGINX_PORT=8391 YARP_PORT=8392 GATEWAY_PORT=8393 PG_GATEWAY_PORT=8394 PG_PORT=8395,
# KEEP_WORKDIR=1;
#   DISTRIBUTOR=simulator (default) or nginx: the distributor behind every path is either the
#     simulator or a near-free one, an nginx answering every order with a canned 201 (issue 11);
#   POSTGRES=1 adds path (e): the gateway on a PostgreSQL ledger (a private cluster, fsync on);
#   BEFORE_SRC=<a source tree> adds path (f): the gateway built from there (e.g. an older commit
#     unpacked with `git archive`), SQLite ledger, for a before/after in one run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LUA="$ROOT/bench/unique-key.lua"

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20} # the gateway's JIT still took 11 % of its CPU 10 s in, 3 % after 30 s (docs/benchmarks.md)
LATENCY_DURATION=${LATENCY_DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
SIM_PORT=${SIM_PORT:-9301}
NGINX_PORT=${NGINX_PORT:-8391}
YARP_PORT=${YARP_PORT:-8392}
GATEWAY_PORT=${GATEWAY_PORT:-8393}
PG_GATEWAY_PORT=${PG_GATEWAY_PORT:-8394}
PG_PORT=${PG_PORT:-8395}
DISTRIBUTOR=${DISTRIBUTOR:-simulator}
POSTGRES=${POSTGRES:-0}
BEFORE_SRC=${BEFORE_SRC:-}
BEFORE_PORT=${BEFORE_PORT:-8396}
LEARNING_OFF=${LEARNING_OFF:-1}
OFF_PORT=${OFF_PORT:-8397}
require_number ROUNDS DURATION WARMUP LATENCY_DURATION THREADS CONNECTIONS SIM_PORT NGINX_PORT YARP_PORT GATEWAY_PORT PG_GATEWAY_PORT PG_PORT POSTGRES LEARNING_OFF OFF_PORT
[[ $DISTRIBUTOR == simulator || $DISTRIBUTOR == nginx ]] || die "DISTRIBUTOR must be simulator or nginx, not '$DISTRIBUTOR'"
((ROUNDS >= 1 && ROUNDS <= 5 && DURATION <= 120 && LATENCY_DURATION <= 120)) || die "ROUNDS 1..5, DURATION and LATENCY_DURATION ≤ 120, please"

# --- tools ---------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]} with apt-get (Debian's packages)"
  apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}"; }
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v dotnet >/dev/null 2>&1 || die "dotnet is required"
require_free_ports "$SIM_PORT" "$NGINX_PORT" "$YARP_PORT" "$GATEWAY_PORT" "$PG_GATEWAY_PORT" "$BEFORE_PORT" "$OFF_PORT"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/meterai-overhead.XXXXXX)
chmod 755 "$WORK" # nginx's worker runs as nobody
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$ROOT")
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
GATEWAY_DLL="$(build_release "$ROOT" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
BEFORE_DLL=""
if [[ -n $BEFORE_SRC ]]; then
  BEFORE_CODE=$(describe_code "$BEFORE_SRC")
  BEFORE_DLL="$(build_release "$BEFORE_SRC" before src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
fi
PROXY_DLL="$(build_release "$ROOT" naive tests/Meterai.NaiveProxy/Meterai.NaiveProxy.csproj)/Meterai.NaiveProxy.dll"
for f in "$SIM_DLL" "$GATEWAY_DLL" "$PROXY_DLL"; do [[ -f $f ]] || die "build output $f not found"; done

# --- processes -----------------------------------------------------------------------------------
if [[ $DISTRIBUTOR == nginx ]]; then
  # A near-free distributor: nginx answering every order with a canned 201, so what is measured is the path.
  mkdir -p "$WORK/canned"
  write_canned_distributor_conf "$WORK/canned/nginx.conf" "$SIM_PORT"
  log "starting the near-free distributor (nginx, canned 201) on $HOST:$SIM_PORT"
  start canned "$NGINX" -e "$WORK/canned/error.log" -p "$WORK/canned" -c "$WORK/canned/nginx.conf"
  SIM_PID=$STARTED
  printf '{"distributors": [{"id": "d01", "name": "Near-free distributor", "baseUrl": "http://%s:%s", "maxConcurrency": 512}]}\n' "$HOST" "$SIM_PORT" >"$WORK/registry.json"
  wait_ready canned "$SIM_PID" "http://$HOST:$SIM_PORT/health"
else
  # One fast distributor: no service time, capacity far above the load, stock that never runs out.
  log "starting the simulator on $HOST:$SIM_PORT"
  start simulator dotnet "$SIM_DLL" --count 1 --capacity 512 --service-time-ms 0 --stock 100000000 \
    --host "$HOST" --base-port "$SIM_PORT" --registry-out "$WORK/registry.json"
  SIM_PID=$STARTED
  wait_ready simulator "$SIM_PID" "http://$HOST:$SIM_PORT/health" "$WORK/registry.json"
fi

mkdir -p "$WORK/nginx"
write_passthrough_conf "$WORK/nginx/nginx.conf" "$NGINX_PORT" "$SIM_PORT"
log "starting nginx ($("$NGINX" -v 2>&1 | cut -d/ -f2)) on $HOST:$NGINX_PORT"
"$NGINX" -t -q -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx-test.log" \
  || { cat "$WORK/nginx-test.log" >&2; die "nginx rejected the generated config"; }
start nginx "$NGINX" -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
NGINX_PID=$STARTED
wait_ready nginx "$NGINX_PID" "http://$HOST:$NGINX_PORT/health"

log "starting plain YARP (naive proxy, --passthrough) on $HOST:$YARP_PORT"
start yarp dotnet "$PROXY_DLL" --passthrough --registry "$WORK/registry.json" --urls "http://$HOST:$YARP_PORT"
YARP_PID=$STARTED
wait_ready yarp "$YARP_PID" "http://$HOST:$YARP_PORT/health"

# bench_gateway NAME DLL PORT LEDGER_ARGS...: a gateway on the registry, ready; sets STARTED.
# Every gateway runs its default configuration (capacity learning on), as operators run it; only
# path (g), labelled as such, switches learning off to show what learning costs in the same run.
bench_gateway() {
  local name=$1 dll=$2 port=$3
  shift 3
  log "starting $name on $HOST:$port"
  start "$name" dotnet "$dll" --urls "http://$HOST:$port" --Distributors:File="$WORK/registry.json" "$@" \
    --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0
  wait_ready "$name" "$STARTED" "http://$HOST:$port/readyz"
}

bench_gateway gateway "$GATEWAY_DLL" "$GATEWAY_PORT" --ConnectionStrings:Ledger="Data Source=$WORK/ledger.db"
GATEWAY_PID=$STARTED
PATHS=(a b c d)
PG_GATEWAY_PID=$GATEWAY_PID
if ((POSTGRES == 1)); then
  start_postgres "$WORK/pg" "$PG_PORT"
  bench_gateway gateway-pg "$GATEWAY_DLL" "$PG_GATEWAY_PORT" --Ledger:Provider=postgres --ConnectionStrings:Ledger="$PG_CONNECTION"
  PG_GATEWAY_PID=$STARTED
  PATHS+=(e)
fi
BEFORE_PID=$GATEWAY_PID
if [[ -n $BEFORE_DLL ]]; then
  bench_gateway before "$BEFORE_DLL" "$BEFORE_PORT" --ConnectionStrings:Ledger="Data Source=$WORK/before.db"
  BEFORE_PID=$STARTED
  PATHS+=(f)
fi
OFF_PID=$GATEWAY_PID
if ((LEARNING_OFF == 1)); then
  bench_gateway learning-off "$GATEWAY_DLL" "$OFF_PORT" --ConnectionStrings:Ledger="Data Source=$WORK/off.db" --Capacity:Learning=false
  OFF_PID=$STARTED
  PATHS+=(g)
fi
declare -A URL=(
  [a]="http://$HOST:$SIM_PORT/orders"
  [b]="http://$HOST:$NGINX_PORT/orders"
  [c]="http://$HOST:$YARP_PORT/orders"
  [d]="http://$HOST:$GATEWAY_PORT/api/purchases"
  [e]="http://$HOST:$PG_GATEWAY_PORT/api/purchases"
  [f]="http://$HOST:$BEFORE_PORT/api/purchases"
  [g]="http://$HOST:$OFF_PORT/api/purchases"
)
declare -A LABEL=(
  [a]="(a) direct: the distributor's \`POST /orders\`"
  [b]="(b) nginx passthrough (1 worker, keepalive)"
  [c]="(c) plain YARP passthrough"
  [d]="(d) this gateway \`POST /api/purchases\` (SQLite ledger)"
  [e]="(e) this gateway \`POST /api/purchases\` (PostgreSQL ledger)"
  [f]="(f) the gateway before: ${BEFORE_CODE:-} (SQLite ledger)"
  [g]="(g) this gateway, \`Capacity:Learning=false\` (not the default; SQLite ledger)"
)
for p in "${PATHS[@]}"; do smoke "${URL[$p]}"; done

# --- wrk -----------------------------------------------------------------------------------------
RUN_ID="$(date +%s)x$RANDOM"
declare -A R # results by "<phase>.<field>"

# run_wrk PHASE URL SECONDS THREADS CONNECTIONS: fills R[PHASE.*]; non-2xx answers are counted, not fatal.
run_wrk() {
  local phase=$1 url=$2 seconds=$3 threads=$4 connections=$5 out="$WORK/wrk-$1.txt" line kv
  log "wrk $phase: -t$threads -c$connections -d${seconds}s $url"
  timeout $((seconds + 30)) wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$LUA" "$url" -- "$RUN_ID-$phase" \
    >"$out" 2>&1 || { cat "$out" >&2; die "wrk $phase failed"; }
  bench_result "$out" R "$phase." || { cat "$out" >&2; die "wrk $phase printed no BENCH_RESULT line"; }
  R[$phase.rps]=$(per_second "${R[$phase.requests]}" "${R[$phase.duration_us]}")
  R[$phase.cps]=$(per_second "${R[$phase.created]}" "${R[$phase.duration_us]}")
  R[$phase.errors]=$((R[$phase.non2xx3xx] + R[$phase.connect] + R[$phase.read] + R[$phase.write] + R[$phase.timeout]))
  ((R[$phase.requests] > 0)) || die "wrk $phase completed no request"
  local pid
  for pid in "$SIM_PID" "$NGINX_PID" "$YARP_PID" "$GATEWAY_PID" "$PG_GATEWAY_PID" "$BEFORE_PID" "$OFF_PID"; do alive "$pid" || die "a process died during wrk $phase"; done
}

# The learned limit of (d)'s distributor, every 0.5 s through its cold warm-up: when it reached 32.
for p in "${PATHS[@]}"; do
  if [[ $p == d ]]; then
    ( start_ns=$(date +%s%N); while :; do printf '%s %s\n' "$(( ($(date +%s%N) - start_ns) / 1000000 ))" "$(limit_of "$GATEWAY_PORT")"; sleep 0.5; done ) >"$WORK/limit-d.txt" &
    LIMIT_POLLER=$!
  fi
  run_wrk "warmup-$p" "${URL[$p]}" "$WARMUP" "$THREADS" "$CONNECTIONS"
  if [[ $p == d ]]; then kill "$LIMIT_POLLER" 2>/dev/null || true; wait "$LIMIT_POLLER" 2>/dev/null || true; fi
done
LIMIT_AT_32_MS=$(awk '$2 >= 32 { print $1; exit }' "$WORK/limit-d.txt")
LIMIT_END=$(limit_of "$GATEWAY_PORT")
for ((r = 1; r <= ROUNDS; r++)); do
  for p in "${PATHS[@]}"; do run_wrk "r$r-$p" "${URL[$p]}" "$DURATION" "$THREADS" "$CONNECTIONS"; done
done
for p in "${PATHS[@]}"; do run_wrk "lat-$p" "${URL[$p]}" "$LATENCY_DURATION" 1 1; done
gateway_warnings=$(grep -cE '^(warn|fail|crit):' "$WORK/gateway.log" || true)
VALID=1

# --- report --------------------------------------------------------------------------------------
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", (a - b) / 1000 }'; }

cat <<EOF

## Overhead: four paths ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); $(wrk --version 2>&1 | head -n1 | awk '{ print $1, $2 }'); nginx $("$NGINX" -v 2>&1 | cut -d/ -f2); load average at the start: $LOAD_AT_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE. Distributor: $([[ $DISTRIBUTOR == nginx ]] && echo "near-free (nginx, canned 201, 1 worker)" || echo "simulator, 1 distributor, capacity 512, service time 0 ms"). Gateway: SQLite ledger in a fresh temp dir$( ((POSTGRES == 1)) && echo "; (e) PostgreSQL ledger, private cluster with fsync on"), log level Warning.

Throughput: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s bench/unique-key.lua\`, after ${WARMUP}s warm-up of each path; $ROUNDS round(s) of a, b, c, d in turn.

A purchase is a 201: "201/s" counts only those (and the ratios use them); "answers/s" counts every answer.

| round | path | 201/s | answers/s | non-2xx | p50 (ms) | p99 (ms) | errors | ÷ (a) | ÷ (b) | ÷ (c) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
for ((r = 1; r <= ROUNDS; r++)); do
  for p in "${PATHS[@]}"; do
    k="r$r-$p"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$r" "${LABEL[$p]}" "${R[$k.cps]}" "${R[$k.rps]}" "${R[$k.non2xx3xx]}" "$(ms "${R[$k.p50_us]}")" "$(ms "${R[$k.p99_us]}")" "${R[$k.errors]}" \
      "$(ratio "${R[$k.cps]}" "${R[r$r-a.cps]}")" "$(ratio "${R[$k.cps]}" "${R[r$r-b.cps]}")" "$(ratio "${R[$k.cps]}" "${R[r$r-c.cps]}")"
  done
done
if ((LEARNING_OFF == 1)); then
  for ((r = 1; r <= ROUNDS; r++)); do
    printf '\nRound %s: (d) default ÷ (g) learning off = %s (201/s).' "$r" "$(ratio "${R[r$r-d.cps]}" "${R[r$r-g.cps]}")"
  done
  echo
fi
# Over all rounds: two identical gateways differ by up to ±5 % in one round (docs/benchmarks.md), so
# the targets are judged on the sums, with each round above for the spread.
sum_of() { local p=$1 r total=0; for ((r = 1; r <= ROUNDS; r++)); do total=$((total + ${R[r$r-$p.cps]})); done; echo "$total"; }
printf '\nAll %s rounds: (d) ÷ (b) nginx = %s' "$ROUNDS" "$(ratio "$(sum_of d)" "$(sum_of b)")"
((LEARNING_OFF == 1)) && printf '; (d) default ÷ (g) learning off = %s' "$(ratio "$(sum_of d)" "$(sum_of g)")"
printf ' (201/s).\n'

printf '\n(d)'"'"'s learned limit: reached 32 after %s ms of its cold warm-up; %s at the end.\n' "${LIMIT_AT_32_MS:-never}" "${LIMIT_END:-?}"
cat <<EOF

Targets (default configuration, 201s only): (d) ÷ (b) ≥ 0.3, (d) ≥ 0.95 × (g), 0 non-2xx at (d), and the limit at 32 within 5 s.

Unloaded latency: \`wrk -t1 -c1 -d${LATENCY_DURATION}s\` (one request at a time), after the rounds above.

| path | req/s | p50 (ms) | p99 (ms) | p50 − (a) (ms) | p50 − (b) (ms) | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
for p in "${PATHS[@]}"; do
  k="lat-$p"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$p]}" "${R[$k.rps]}" "$(ms "${R[$k.p50_us]}")" "$(ms "${R[$k.p99_us]}")" \
    "$(delta "${R[$k.p50_us]}" "${R[lat-a.p50_us]}")" "$(delta "${R[$k.p50_us]}" "${R[lat-b.p50_us]}")" "${R[$k.errors]}"
done
cat <<EOF

Target: (d) adds ≤ 1 ms at p50 over (a). Errors = non-2xx answers + socket errors + timeouts (wrk).
p50/p99 are wrk 4's, corrected for coordinated omission, so the loaded p99 is pessimistic. Gateway warn/fail/crit log lines: $gateway_warnings.
EOF
