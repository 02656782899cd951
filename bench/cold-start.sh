#!/usr/bin/env bash
# Cold starts (issue 27): how soon a fresh gateway's learned limit reaches 32 at a near-free
# distributor (nginx answering every order with a canned 201), and whether it refuses anyone on the way.
#
#   bash bench/cold-start.sh
#
# STARTS times: a fresh gateway (default configuration, fresh SQLite ledger) starts, sits idle IDLE
# seconds (as in bench/overhead.sh, where a gateway waits for the other paths' warm-ups), then wrk
# loads it with CONNECTIONS connections and fresh Idempotency-Keys for DURATION seconds while its
# learned limit is read from /metrics every 0.5 s. Prints per start: when the limit reached 32, the
# limits read, the 201s and the non-2xx answers, and the admission refusals by reason; then how many
# starts reached 32 within 5 s (the issue's target).
#
# Knobs (environment): STARTS=10 IDLE=20 DURATION=6 CONNECTIONS=32 CEILING=512 (the registry's
# maxConcurrency), SIM_PORT=9511 GATEWAY_PORT=8599, GATEWAY_ARGS="..." (extra gateway options, split
# on spaces), KEEP_WORKDIR=1 (keeps each start's gateway log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LUA="$ROOT/bench/unique-key.lua"

STARTS=${STARTS:-10}
IDLE=${IDLE:-20}
DURATION=${DURATION:-6}
CONNECTIONS=${CONNECTIONS:-32}
CEILING=${CEILING:-512}
SIM_PORT=${SIM_PORT:-9511}
GATEWAY_PORT=${GATEWAY_PORT:-8599}
THREADS=$((CONNECTIONS < 2 ? 1 : 2)) # wrk wants a connection per thread
read -r -a EXTRA <<<"${GATEWAY_ARGS:-}"
require_number STARTS IDLE DURATION CONNECTIONS CEILING SIM_PORT GATEWAY_PORT
((STARTS >= 1 && STARTS <= 50 && DURATION >= 6 && DURATION <= 120)) || die "STARTS 1..50 and DURATION 6..120, please"
command -v wrk >/dev/null 2>&1 || die "wrk is required (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is required (apt-get install nginx-light)"
require_free_ports "$SIM_PORT" "$GATEWAY_PORT"

WORK=$(mktemp -d /tmp/meterai-cold-start.XXXXXX)
chmod 755 "$WORK" # nginx's worker runs as nobody
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CODE=$(describe_code "$ROOT")
GATEWAY_DLL="$(build_release "$ROOT" gateway src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"

mkdir -p "$WORK/canned"
write_canned_distributor_conf "$WORK/canned/nginx.conf" "$SIM_PORT"
log "starting the near-free distributor (nginx, canned 201) on $HOST:$SIM_PORT"
start canned "$NGINX" -e "$WORK/canned/error.log" -p "$WORK/canned" -c "$WORK/canned/nginx.conf"
wait_ready canned "$STARTED" "http://$HOST:$SIM_PORT/health"
printf '{"distributors": [{"id": "d01", "name": "Near-free distributor", "baseUrl": "http://%s:%s", "maxConcurrency": %s}]}\n' \
  "$HOST" "$SIM_PORT" "$CEILING" >"$WORK/registry.json"

VALID=1
within5=0
ROWS=()
for ((i = 1; i <= STARTS; i++)); do
  start "gateway-$i" dotnet "$GATEWAY_DLL" --urls "http://$HOST:$GATEWAY_PORT" --Distributors:File="$WORK/registry.json" \
    --ConnectionStrings:Ledger="Data Source=$WORK/ledger-$i.db" --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 "${EXTRA[@]}"
  pid=$STARTED
  wait_ready "gateway-$i" "$pid" "http://$HOST:$GATEWAY_PORT/readyz"
  sleep "$IDLE"
  log "start $i: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$LUA" "http://$HOST:$GATEWAY_PORT/api/purchases" >"$WORK/wrk-$i.txt" 2>&1 &
  load=$!
  began=$(date +%s%N) at32=never limits=""
  while alive "$load"; do
    limit=$(limit_of "$GATEWAY_PORT")
    limits+=" ${limit%.*}"
    if [[ $at32 == never && -n $limit ]] && awk -v l="$limit" 'BEGIN { exit !(l >= 32) }'; then
      at32=$((($(date +%s%N) - began) / 1000000))
    fi
    sleep 0.5
  done
  wait "$load" || true
  declare -A W=()
  bench_result "$WORK/wrk-$i.txt" W || true
  refused=$(curl -s "http://$HOST:$GATEWAY_PORT/metrics" | awk '/^meterai_admission_rejected_total\{/ && $2 > 0 { sub(/.*reason="/, "", $1); sub(/".*/, "", $1); printf "%s%s %d", sep, $1, $2; sep = ", " }')
  [[ $at32 != never && $at32 -le 5000 ]] && within5=$((within5 + 1))
  ROWS+=("| $i | ${at32} | ${W[created]:-} | ${W[non2xx3xx]:-} | ${refused:-none} |${limits} |")
  stop "$pid"
  forget "$pid"
done

cat <<EOF

## Cold starts ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Gateway: $CODE, default configuration${GATEWAY_ARGS:+ plus \`$GATEWAY_ARGS\`}, fresh SQLite ledger per start. Distributor: near-free
(nginx, canned 201), maxConcurrency $CEILING. Each start: idle ${IDLE}s, then \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` with fresh keys.

| start | limit ≥ 32 after (ms) | 201s | non-2xx | admission refusals | limit every 0.5 s |
| ---: | ---: | ---: | ---: | --- | --- |
EOF
printf '%s\n' "${ROWS[@]}"
printf '\nReached 32 within 5 s: %s of %s starts.\n' "$within5" "$STARTS"
