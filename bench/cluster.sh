#!/usr/bin/env bash
# Several gateways on one PostgreSQL ledger (issue 12), behind an nginx load balancer (round
# robin, keepalive), as docker-compose.yml runs them, all on this machine in one run:
#   - throughput through 1, 2 and 3 gateways against the near-free distributor (nginx answering
#     every order with a canned 201), wrk with fresh Idempotency-Keys;
#   - a surge through 3 gateways in front of the simulated fleet of known capacity C
#     (bench/surge-fleet.json): goodput / C and the most orders each distributor had at once.
#
#   bash bench/cluster.sh
#
# Every gateway, PostgreSQL, nginx, wrk and the load generator share the machine's cores, so the
# scaling factor says as much about that contention as about the gateways.
#
# Knobs (environment): COUNTS="1 2 3" DURATION=20 WARMUP=5 THREADS=2 CONNECTIONS=64,
# SURGE=1 (0 skips the surge), SURGE_GATEWAYS=3 SURGE_DURATION=30 MULTIPLE=10 STORM=0 (N: a
# closed-loop retry storm of N applicants instead of the open loop), TIMEOUT=30,
# BASE_PORT=8601 (gateways), LB_PORT=8600 SIM_PORT=9601 PG_PORT=8695, KEEP_WORKDIR=1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LUA="$ROOT/bench/unique-key.lua"

COUNTS=${COUNTS:-1 2 3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SURGE=${SURGE:-1}
SURGE_GATEWAYS=${SURGE_GATEWAYS:-3}
SURGE_DURATION=${SURGE_DURATION:-30}
MULTIPLE=${MULTIPLE:-10}
STORM=${STORM:-0}
TIMEOUT=${TIMEOUT:-30}
BASE_PORT=${BASE_PORT:-8601}
LB_PORT=${LB_PORT:-8600}
SIM_PORT=${SIM_PORT:-9601}
PG_PORT=${PG_PORT:-8695}
FLEET=$ROOT/bench/surge-fleet.json
require_number DURATION WARMUP THREADS CONNECTIONS SURGE SURGE_GATEWAYS SURGE_DURATION MULTIPLE STORM TIMEOUT BASE_PORT LB_PORT SIM_PORT PG_PORT
for n in $COUNTS; do [[ $n =~ ^[1-9]$ ]] || die "COUNTS: gateway counts 1..9, not '$n'"; done
command -v wrk >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; } \
  || apt-get install -y --no-install-recommends wrk nginx-light >/dev/null
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

FLEET_SIZE=$(grep -c '"id"' "$FLEET")
SIM_PORTS=()
for ((i = 0; i < FLEET_SIZE; i++)); do SIM_PORTS+=($((SIM_PORT + 1 + i))); done
require_free_ports "$LB_PORT" "$SIM_PORT" "${SIM_PORTS[@]}" "$PG_PORT" $(for ((i = 0; i < 9; i++)); do echo $((BASE_PORT + i)); done)

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/meterai-cluster.XXXXXX)
chmod 755 "$WORK"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$ROOT")
GATEWAY_DLL="$(build_release "$ROOT" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
SIM_DLL="$(build_release "$ROOT" simulator src/Meterai.Simulator/Meterai.Simulator.csproj)/Meterai.Simulator.dll"
LOADGEN_DLL="$(build_release "$ROOT" loadgen tests/Meterai.LoadGenerator/Meterai.LoadGenerator.csproj)/Meterai.LoadGenerator.dll"

start_postgres "$WORK/pg" "$PG_PORT"

mkdir -p "$WORK/canned"
write_canned_distributor_conf "$WORK/canned/nginx.conf" "$SIM_PORT"
start canned "$NGINX" -e "$WORK/canned/error.log" -p "$WORK/canned" -c "$WORK/canned/nginx.conf"
wait_ready canned "$STARTED" "http://$HOST:$SIM_PORT/health"
printf '{"distributors": [{"id": "d01", "name": "Near-free distributor", "baseUrl": "http://%s:%s", "maxConcurrency": 512}]}\n' "$HOST" "$SIM_PORT" >"$WORK/canned-registry.json"

GATEWAY_PIDS=()
LB_PID=""

# start_cluster N DATABASE REGISTRY: N gateways on one ledger database, and the load balancer in front.
start_cluster() {
  local n=$1 database=$2 registry=$3 i port upstreams="" extra=()
  # Every gateway runs the default configuration: capacity learning on, for both fleets.
  "${PG_AS[@]}" "$PG_BIN/psql" -q -h "$HOST" -p "$PG_PORT" -U postgres -c "CREATE DATABASE $database" >/dev/null
  GATEWAY_PIDS=()
  for ((i = 0; i < n; i++)); do
    port=$((BASE_PORT + i))
    start "gateway-$database-$i" dotnet "$GATEWAY_DLL" --urls "http://$HOST:$port" --Distributors:File="$registry" \
      --Ledger:Provider=postgres --ConnectionStrings:Ledger="${PG_CONNECTION/Database=meterai/Database=$database}" \
      --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 "${extra[@]}"
    GATEWAY_PIDS+=("$STARTED")
    # One at a time: the first migrates, the others find the schema current.
    wait_ready "gateway-$database-$i" "$STARTED" "http://$HOST:$port/readyz"
    upstreams+="    server $HOST:$port;"$'\n'
  done
  mkdir -p "$WORK/lb-$database"
  cat >"$WORK/lb-$database/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/lb-$database/nginx.pid;
error_log $WORK/lb-$database/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/lb-$database/body;
  proxy_temp_path $WORK/lb-$database/proxy;
  fastcgi_temp_path $WORK/lb-$database/fastcgi;
  uwsgi_temp_path $WORK/lb-$database/uwsgi;
  scgi_temp_path $WORK/lb-$database/scgi;
  upstream gateways {
$upstreams    keepalive 128;
  }
  server {
    listen $HOST:$LB_PORT;
    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_read_timeout 120s;
    }
  }
}
CONF
  start "lb-$database" "$NGINX" -e "$WORK/lb-$database/error.log" -p "$WORK/lb-$database" -c "$WORK/lb-$database/nginx.conf"
  LB_PID=$STARTED
  wait_ready "lb-$database" "$LB_PID" "http://$HOST:$LB_PORT/readyz"
}

stop_cluster() {
  local pid
  for pid in "$LB_PID" "${GATEWAY_PIDS[@]}"; do stop "$pid"; forget "$pid"; done
  GATEWAY_PIDS=()
}

declare -A R
RUN_ID="$(date +%s)x$RANDOM"
URL="http://$HOST:$LB_PORT/api/purchases"

for n in $COUNTS; do
  log "=== throughput through $n gateway(s)"
  start_cluster "$n" "meterai_tp$n" "$WORK/canned-registry.json"
  smoke "$URL"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$LUA" "$URL" -- "$RUN_ID-w$n" >"$WORK/wrk-w$n.txt" 2>&1
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "$URL" -- "$RUN_ID-$n" >"$WORK/wrk-$n.txt" 2>&1 || die "wrk failed"
  bench_result "$WORK/wrk-$n.txt" R "$n." || { cat "$WORK/wrk-$n.txt" >&2; die "wrk printed no BENCH_RESULT"; }
  R[$n.rps]=$(per_second "${R[$n.requests]}" "${R[$n.duration_us]}")
  R[$n.errors]=$((R[$n.non2xx3xx] + R[$n.connect] + R[$n.read] + R[$n.write] + R[$n.timeout]))
  stop_cluster
done

if ((SURGE == 1)); then
  log "=== surge through $SURGE_GATEWAYS gateways, fleet $FLEET"
  start "sim" dotnet "$SIM_DLL" --config "$FLEET" --host "$HOST" --base-port "$((SIM_PORT + 1))" --registry-out "$WORK/surge-registry.json"
  SIM_PID=$STARTED
  wait_ready sim "$SIM_PID" "http://$HOST:${SIM_PORTS[0]}/health" "$WORK/surge-registry.json"
  C=$(fleet_capacity)
  start_cluster "$SURGE_GATEWAYS" meterai_surge "$WORK/surge-registry.json"
  smoke "$URL"
  created0=$(fleet_sum ordersCreated)
  load=(--rate "$(awk -v c="$C" -v m="$MULTIPLE" 'BEGIN { printf "%.0f", c * m }')")
  ((STORM > 0)) && load=(--closed "$STORM")
  dotnet "$LOADGEN_DLL" --url "$URL" "${load[@]}" --duration "$SURGE_DURATION" --timeout "$TIMEOUT" --capacity "$C" \
    --label "cluster-surge" >"$WORK/loadgen-surge.md" 2>"$WORK/loadgen-surge.progress" || die "the load generator failed"
  line=$(grep '^LOADGEN_RESULT ' "$WORK/loadgen-surge.md") || die "the load generator printed no LOADGEN_RESULT line"
  for kv in ${line#LOADGEN_RESULT }; do R["surge.${kv%%=*}"]=${kv#*=}; done
  over=0 inflight=""
  for p in "${SIM_PORTS[@]}"; do
    cap=$(sim_field "$p" capacity); max=$(sim_field "$p" maxObservedConcurrency)
    inflight+="${inflight:+ }$max/$cap"
    ((max > cap)) && over=$((over + 1))
  done
  R[surge.c]=$C
  R[surge.over]=$over
  R[surge.inflight]=$inflight
  R[surge.created]=$(( $(fleet_sum ordersCreated) - created0 ))
  stop_cluster
fi
VALID=1

cat <<EOF

## Several gateways on one PostgreSQL ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine); load average at the start: $LOAD_AT_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg).
Gateway: $CODE. PostgreSQL: private cluster, fsync on. Load balancer: nginx, 1 worker, round robin, keepalive.

Throughput against the near-free distributor: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s -s bench/unique-key.lua\` at the load balancer.

| gateways | purchases/s | ÷ 1 gateway | p50 (ms) | p99 (ms) | errors |
| ---: | ---: | ---: | ---: | ---: | ---: |
EOF
first=$(echo "$COUNTS" | awk '{ print $1 }')
for n in $COUNTS; do
  printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "${R[$n.rps]}" "$(awk -v a="${R[$n.rps]}" -v b="${R[$first.rps]}" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v u="${R[$n.p50_us]}" 'BEGIN { printf "%.1f", u / 1000 }')" "$(awk -v u="${R[$n.p99_us]}" 'BEGIN { printf "%.1f", u / 1000 }')" "${R[$n.errors]}"
done
if ((SURGE == 1)); then
  cat <<EOF

Surge through $SURGE_GATEWAYS gateways: \`tests/Meterai.LoadGenerator ${load[*]} --duration $SURGE_DURATION --timeout $TIMEOUT\`, fleet \`bench/surge-fleet.json\`, C = ${R[surge.c]} orders/s.

| measure | value |
| --- | ---: |
| **goodput / C** (target ≥ 0.95) | **$(awk -v g="${R[surge.goodput]}" -v c="${R[surge.c]}" 'BEGIN { printf "%.2f", g / c }')** |
| 201 issued / 202 pending | ${R[surge.issued_201]} / ${R[surge.pending_202]} |
| 503 with / without Retry-After | ${R[surge.s503_retry_after]} / ${R[surge.s503_no_retry_after]} |
| unanswered | ${R[surge.unanswered]} |
| orders charged by the distributors | ${R[surge.created]} |
| most orders in flight per distributor / limit (target: none over) | ${R[surge.inflight]} (**${R[surge.over]} over**) |
EOF
fi
