# Shared helpers of bench/surge.sh and bench/overhead.sh (sourced, not run).
# Every process a script starts goes through `start`, and `cleanup` (on EXIT) stops them newest
# first: TERM, up to 5 s, then KILL. Nothing else is ever signalled.

HOST=127.0.0.1 # loopback only, never anything else
READY_TIMEOUT=${READY_TIMEOUT:-60} # seconds, per process
PIDS=()
VALID=0

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() { kill -0 "$1" 2>/dev/null; }

require_number() {
  local n
  for n in "$@"; do
    [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, not '${!n}'"
  done
}

require_free_ports() {
  local port
  for port in "$@"; do
    [[ -z $(ss -Hltn "sport = :$port" 2>/dev/null) ]] || die "port $port is already in use; see the knobs at the top of the script"
  done
}

# stop PID: TERM, wait up to 5 s, KILL; only ever a PID this script started.
stop() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop "${PIDS[i]}"
  done
  PIDS=()
  if [[ $VALID == 1 && ${KEEP_WORKDIR:-0} != 1 ]]; then
    rm -rf "$WORK"
  else
    log "logs and results kept in $WORK"
  fi
}

# start NAME CMD...: runs CMD in $WORK with its output in $WORK/NAME.log; sets STARTED to its PID.
start() {
  local name=$1
  shift
  (cd "$WORK" && exec "$@") >"$WORK/$name.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

# forget PID: after `stop`, so that cleanup does not wait for it again.
forget() {
  local pid=$1 kept=() p
  for p in "${PIDS[@]}"; do
    [[ $p == "$pid" ]] || kept+=("$p")
  done
  PIDS=("${kept[@]}")
}

# wait_ready NAME PID URL [FILE]: polls URL until 200 (and FILE exists), bounded by READY_TIMEOUT.
wait_ready() {
  local name=$1 pid=$2 url=$3 file=${4:-} deadline=$((SECONDS + READY_TIMEOUT))
  while :; do
    alive "$pid" || { tail -n 30 "$WORK/$name.log" >&2 || true; die "$name exited during start-up"; }
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true) == 200 ]] \
      && [[ -z $file || -s $file ]]; then
      return 0
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$WORK/$name.log" >&2 || true; die "$name not ready after ${READY_TIMEOUT}s ($url)"; }
    sleep 0.2
  done
}

# smoke URL: one purchase by hand; must be 201.
smoke() {
  local url=$1 code
  code=$(curl -s -o "$WORK/smoke.json" -w '%{http_code}' --max-time 10 -X POST "$url" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: smoke-$RANDOM$RANDOM-$(date +%s%N)" \
    -d '{"quantity":1,"applicantRef":"bench"}' || true)
  [[ $code == 201 ]] || { cat "$WORK/smoke.json" >&2 || true; die "smoke purchase at $url answered $code, not 201"; }
}

# build_release SRC_ROOT NAME PROJECT: builds PROJECT (relative to SRC_ROOT) in Release, then
# copies its output to $WORK/bin/NAME and prints that directory. Runs use the copy, so a rebuild
# by someone else in the same tree cannot swap assemblies under a running benchmark.
build_release() {
  local src=$1 name=$2 project=$3 out
  log "building Release: $project (from $src)"
  dotnet build -c Release "$src/$project" -nologo -v q >>"$WORK/build.log" 2>&1 \
    || { tail -n 30 "$WORK/build.log" >&2; die "build of $project failed"; }
  out="$src/$(dirname "$project")/bin/Release/net10.0"
  mkdir -p "$WORK/bin"
  cp -r "$out" "$WORK/bin/$name"
  echo "$WORK/bin/$name"
}

# describe_code SRC_ROOT: the commit, and a fingerprint of any uncommitted change under src/ at build time.
describe_code() {
  local src=$1 status
  if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    echo "source tree $src (${GATEWAY_LABEL:-not a git checkout})"
    return
  fi
  status=$(git -C "$src" status --porcelain -- src 2>/dev/null || true)
  if [[ -z $status ]]; then
    echo "commit $(git -C "$src" rev-parse --short HEAD), src/ clean"
  else
    echo "commit $(git -C "$src" rev-parse --short HEAD) + uncommitted changes in $(echo "$status" | wc -l) path(s) under src/ (fingerprint $( (git -C "$src" diff HEAD -- src; echo "$status") | sha256sum | cut -c1-12))"
  fi
}

describe_machine() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo unknown)), $(uname -sr), dotnet $(dotnet --version)"
}

# start_postgres DIR PORT: a private PostgreSQL cluster in DIR on 127.0.0.1:PORT, as the postgres
# user when run as root (it refuses root), with its durable defaults (fsync on), stopped by
# cleanup like every other process. Sets PG_CONNECTION (an Npgsql connection string), PG_BIN (where psql is) and
# PG_AS (the command prefix that runs it as the right user).
start_postgres() {
  local dir=$1 port=$2 bin="" d
  for d in $(command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)") /usr/local/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [[ -x $d/initdb && -x $d/pg_ctl ]]; then bin=$d; break; fi
  done
  [[ -n $bin ]] || die "PostgreSQL's initdb not found (apt-get install postgresql)"
  local as=()
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    as=(runuser -u postgres --)
  fi
  mkdir -p "$dir" && { [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"; }
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  start postgres "${as[@]}" "$bin/postgres" -D "$dir/data" -h "$HOST" -p "$port" -k "$dir" -c max_connections=200
  local deadline=$((SECONDS + READY_TIMEOUT))
  local client=$bin
  [[ -x $client/psql && -x $client/pg_isready ]] || client=$(dirname "$(command -v psql || echo /usr/bin/psql)")
  until "$client/pg_isready" -q -h "$HOST" -p "$port" 2>/dev/null; do
    alive "$STARTED" || { tail -n 30 "$WORK/postgres.log" >&2; die "postgres exited during start-up"; }
    ((SECONDS < deadline)) || die "postgres not ready after ${READY_TIMEOUT}s"
    sleep 0.2
  done
  "${as[@]}" "$client/psql" -q -h "$HOST" -p "$port" -U postgres -c "CREATE DATABASE meterai" >/dev/null
  PG_CONNECTION="Host=$HOST;Port=$port;Username=postgres;Database=meterai;Maximum Pool Size=100"
  PG_BIN=$client
  PG_AS=("${as[@]}")
}

# nginx_conf_head DIR WHAT: the start of a bench nginx config, one worker, its files in DIR, up to
# the open http block.
nginx_conf_head() {
  local dir=$1
  cat <<CONF
# Generated by bench: $2, one worker.
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
CONF
}

# write_canned_distributor_conf FILE PORT: an nginx server that is a near-free distributor: every
# POST /orders is issued at once (201, one serial, a unique order id), /health and /stock answer 200.
write_canned_distributor_conf() {
  local file=$1 port=$2 dir
  dir=$(dirname "$file")
  {
    nginx_conf_head "$dir" "a near-free distributor (distributor-api.md)"
    cat <<CONF
  default_type application/json;
  keepalive_requests 1000000;
  server {
    listen $HOST:$port;
    location = /health { return 200 '{"status":"ok"}'; }
    location = /stock { return 200 '{"available":100000000,"unitPrice":10000}'; }
    location = /orders { return 201 '{"orderId":"ord-\$request_id","status":"issued","quantity":1,"amount":10000,"serials":["EMT-\$request_id-01"]}'; }
  }
}
CONF
  } >"$file"
}

# write_passthrough_conf FILE PORT UPSTREAM_PORT: nginx as Debian ships it, a plain reverse proxy
# on PORT to UPSTREAM_PORT, one worker, keepalive to the upstream: the reference the gateway is compared to.
write_passthrough_conf() {
  local file=$1 port=$2 upstream=$3 dir
  dir=$(dirname "$file")
  {
    nginx_conf_head "$dir" "a plain passthrough"
    cat <<CONF
  upstream distributor {
    server $HOST:$upstream;
    keepalive 64;
  }
  server {
    listen $HOST:$port;
    location / {
      proxy_pass http://distributor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
  } >"$file"
}

# bench_result FILE ARRAY [PREFIX]: the fields of the BENCH_RESULT line bench/unique-key.lua makes wrk
# print (requests=, created=, duration_us=, p50_us=, non2xx3xx=, ...) into the associative ARRAY, each
# under PREFIX followed by its name; fails when FILE has no such line.
bench_result() {
  local -n into=$2
  local line kv
  line=$(grep '^BENCH_RESULT ' "$1") || return 1
  for kv in ${line#BENCH_RESULT }; do into["${3:-}${kv%%=*}"]=${kv#*=}; done
}

# per_second COUNT DURATION_US: COUNT over wrk's measured duration, a whole number.
per_second() { awk -v n="$1" -v us="$2" 'BEGIN { printf "%.0f", n / (us / 1e6) }'; }

# limit_of PORT: the learned concurrency limit of the first distributor the gateway on PORT reports.
limit_of() { curl -s "http://$HOST:$1/metrics" | awk '/^meterai_distributor_concurrency_limit\{/ && !seen { print $2; seen = 1 }'; }

# sim_field PORT FIELD: a number from the distributor simulator's /_sim/state (compact JSON).
sim_field() {
  curl -s --max-time 5 "http://$HOST:$1/_sim/state" | grep -o "\"$2\":[0-9.]*" | head -n1 | cut -d: -f2
}

# fleet_sum FIELD: FIELD summed over the simulators on SIM_PORTS.
fleet_sum() {
  local p total=0
  for p in "${SIM_PORTS[@]}"; do total=$((total + $(sim_field "$p" "$1"))); done
  echo "$total"
}

# fleet_capacity: orders/s the simulators on SIM_PORTS serve (capacity / service time, summed).
fleet_capacity() {
  local port cap st total=0
  for port in "${SIM_PORTS[@]}"; do
    cap=$(sim_field "$port" capacity)
    st=$(curl -s --max-time 5 "http://$HOST:$port/_sim/state" | grep -o '"serviceTime":"[^"]*"' | cut -d'"' -f4)
    total=$(awk -v t="$total" -v c="$cap" -v st="$st" 'BEGIN { split(st, p, ":"); s = p[1] * 3600 + p[2] * 60 + p[3]; printf "%.3f", t + c / s }')
  done
  echo "$total"
}
