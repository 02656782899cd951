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
