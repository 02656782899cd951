#!/usr/bin/env bash
# Several gateway builds or option sets against one near-free distributor (nginx answering every
# order with a canned 201), loaded in turn in the same run, so their ratios share the machine's
# moment: what a change or a setting is worth, and where the CPU per purchase goes.
#
#   VARIANTS=$'default|.\nnginx|nginx\nyarp|yarp\nnormal|.|--Ledger:SqliteSynchronous=NORMAL' bash bench/variants.sh
#
# VARIANTS: one variant a line, `name|source|options|environment`:
#   source       a source tree to build the gateway from (`.` is this one), or `nginx` (a plain
#                passthrough, one worker, keepalive) or `yarp` (plain YARP, tests/Meterai.NaiveProxy)
#   options      extra gateway options, split on spaces (optional)
#   environment  NAME=value pairs for the gateway process, split on spaces (optional)
# Each gateway has a fresh SQLite ledger and the registry's maxConcurrency is 256, as in issue 27.
# Every variant is warmed for WARMUP seconds, then ROUNDS rounds load each in turn with
# `wrk -t2 -cCONNECTIONS -dDURATION`. Prints per round and variant: 201/s, non-2xx answers, socket
# errors and the process's CPU (user + system, /proc) per 201; then each variant's 201s over all
# rounds ÷ the first variant's.
#
# Knobs (environment): ROUNDS=3 DURATION=10 WARMUP=10 CONNECTIONS=32 SIM_PORT=9611 BASE_PORT=9620
# (variants listen on BASE_PORT+1, +2, ...), KEEP_WORKDIR=1. Run it alone on the machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
LUA="$ROOT/bench/unique-key.lua"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-32}
SIM_PORT=${SIM_PORT:-9611}
BASE_PORT=${BASE_PORT:-9620}
VARIANTS=${VARIANTS:-$'default|.\nnginx|nginx\nyarp|yarp'}
require_number ROUNDS DURATION WARMUP CONNECTIONS SIM_PORT BASE_PORT
((ROUNDS >= 1 && ROUNDS <= 10 && DURATION <= 120 && CONNECTIONS >= 2)) || die "ROUNDS 1..10, DURATION ≤ 120 and CONNECTIONS ≥ 2, please"
command -v wrk >/dev/null 2>&1 || die "wrk is required (apt-get install wrk)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is required (apt-get install nginx-light)"

WORK=$(mktemp -d /tmp/meterai-variants.XXXXXX)
chmod 755 "$WORK"
trap cleanup EXIT
trap 'exit 130' INT

declare -a NAMES=()
declare -A SOURCE OPTIONS ENVIRONMENT PORT PID URL CODE
port=$BASE_PORT
while IFS='|' read -r name source options environment; do
  [[ -z $name ]] && continue
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "variant name '$name' must be A-Za-z0-9-_ only"
  [[ -z ${SOURCE[$name]:-} ]] || die "variant name '$name' is used twice"
  port=$((port + 1))
  NAMES+=("$name")
  SOURCE[$name]=$source OPTIONS[$name]=${options:-} ENVIRONMENT[$name]=${environment:-} PORT[$name]=$port
done <<<"$VARIANTS"
((${#NAMES[@]} >= 1)) || die "VARIANTS names no variant"
require_free_ports "$SIM_PORT" "${PORT[@]}"

mkdir -p "$WORK/canned"
write_canned_distributor_conf "$WORK/canned/nginx.conf" "$SIM_PORT"
start canned "$NGINX" -e "$WORK/canned/error.log" -p "$WORK/canned" -c "$WORK/canned/nginx.conf"
wait_ready canned "$STARTED" "http://$HOST:$SIM_PORT/health"
printf '{"distributors": [{"id": "d01", "name": "Near-free distributor", "baseUrl": "http://%s:%s", "maxConcurrency": 256}]}\n' "$HOST" "$SIM_PORT" >"$WORK/registry.json"

# start_passthrough NAME PORT: nginx as a plain reverse proxy in front of the canned distributor.
start_passthrough() {
  local name=$1 port=$2
  mkdir -p "$WORK/$name"
  write_passthrough_conf "$WORK/$name/nginx.conf" "$port" "$SIM_PORT"
  start "$name" "$NGINX" -e "$WORK/$name/error.log" -p "$WORK/$name" -c "$WORK/$name/nginx.conf"
}

for name in "${NAMES[@]}"; do
  port=${PORT[$name]}
  case ${SOURCE[$name]} in
    nginx)
      start_passthrough "$name" "$port"
      URL[$name]="http://$HOST:$port/orders" READY="http://$HOST:$port/health" CODE[$name]="nginx $("$NGINX" -v 2>&1 | cut -d/ -f2), passthrough"
      ;;
    yarp)
      dll="$(build_release "$ROOT" "$name" tests/Meterai.NaiveProxy/Meterai.NaiveProxy.csproj)/Meterai.NaiveProxy.dll"
      start "$name" dotnet "$dll" --passthrough --registry "$WORK/registry.json" --urls "http://$HOST:$port"
      URL[$name]="http://$HOST:$port/orders" READY="http://$HOST:$port/health" CODE[$name]="plain YARP passthrough"
      ;;
    *)
      src=$(cd "$ROOT" && cd "${SOURCE[$name]}" && pwd) || die "variant $name: no source tree at ${SOURCE[$name]}"
      dll="$(build_release "$src" "$name" src/Meterai.Gateway/Meterai.Gateway.csproj)/Meterai.Gateway.dll"
      read -r -a options <<<"${OPTIONS[$name]}"
      read -r -a environment <<<"${ENVIRONMENT[$name]}"
      start "$name" env "${environment[@]}" dotnet "$dll" --urls "http://$HOST:$port" --Distributors:File="$WORK/registry.json" \
        --ConnectionStrings:Ledger="Data Source=$WORK/$name.db" --Logging:LogLevel:Default=Warning --Demo:PurchasesPerSecond=0 "${options[@]}"
      URL[$name]="http://$HOST:$port/api/purchases" READY="http://$HOST:$port/readyz"
      CODE[$name]="$(describe_code "$src")${OPTIONS[$name]:+, options \`${OPTIONS[$name]}\`}${ENVIRONMENT[$name]:+, environment \`${ENVIRONMENT[$name]}\`}"
      ;;
  esac
  PID[$name]=$STARTED
  wait_ready "$name" "$STARTED" "$READY"
done

RUN_ID="$(date +%s)x$RANDOM"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
declare -A R SUM
# load NAME PHASE SECONDS: fills R[PHASE.NAME.*] (201/s, non-2xx, socket errors, CPU µs per 201).
load() {
  local name=$1 phase=$2 seconds=$3 out="$WORK/wrk-$2-$1.txt" before after
  before=$(cpu_ticks "${PID[$name]}")
  timeout $((seconds + 30)) wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" -s "$LUA" "${URL[$name]}" -- "$RUN_ID-$phase-$name" >"$out" 2>&1 \
    || { cat "$out" >&2; die "wrk $phase $name failed"; }
  after=$(cpu_ticks "${PID[$name]}")
  declare -A W=()
  bench_result "$out" W || { cat "$out" >&2; die "wrk $phase $name printed no BENCH_RESULT line"; }
  R[$phase.$name.cps]=$(per_second "${W[created]}" "${W[duration_us]}")
  R[$phase.$name.non2xx]=${W[non2xx3xx]}
  R[$phase.$name.errors]=$((W[connect] + W[read] + W[write] + W[timeout]))
  # nginx's work is in its worker process, not the master this script started: no CPU figure for it.
  R[$phase.$name.cpu]=$([[ ${SOURCE[$name]} == nginx ]] && echo "–" || awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="${W[created]}" \
    'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "–" }')
  alive "${PID[$name]}" || die "$name died during wrk $phase"
}

log "warm-up: ${WARMUP}s each; then $ROUNDS round(s) of ${DURATION}s each, in turn"
for name in "${NAMES[@]}"; do load "$name" warmup "$WARMUP"; done
for ((r = 1; r <= ROUNDS; r++)); do
  for name in "${NAMES[@]}"; do
    load "$name" "r$r" "$DURATION"
    SUM[$name]=$((${SUM[$name]:-0} + R[r$r.$name.cps]))
  done
done
VALID=1

first=${NAMES[0]}
cat <<EOF

## Variants ($(date -u +%Y-%m-%dT%H:%M:%SZ))

Machine: $(describe_machine). Distributor: nginx, canned 201. Load: \`wrk -t2 -c$CONNECTIONS -d${DURATION}s -s bench/unique-key.lua\`, ${WARMUP}s warm-up each, $ROUNDS round(s) in turn.

| variant | what |
| --- | --- |
EOF
for name in "${NAMES[@]}"; do printf '| %s | %s |\n' "$name" "${CODE[$name]}"; done
printf '\n| round | variant | 201/s | non-2xx | socket errors | CPU µs per 201 |\n| --- | --- | ---: | ---: | ---: | ---: |\n'
for ((r = 1; r <= ROUNDS; r++)); do
  for name in "${NAMES[@]}"; do
    printf '| %s | %s | %s | %s | %s | %s |\n' "$r" "$name" "${R[r$r.$name.cps]}" "${R[r$r.$name.non2xx]}" "${R[r$r.$name.errors]}" "${R[r$r.$name.cpu]}"
  done
done
printf '\nAll rounds, 201/s summed, ÷ %s:' "$first"
for name in "${NAMES[@]}"; do printf ' %s %s;' "$name" "$(awk -v a="${SUM[$name]}" -v b="${SUM[$first]}" 'BEGIN { printf "%.3f", a / b }')"; done
printf '\n'
