#!/usr/bin/env bash
# Bytes of one /metrics scrape of the demo fleet after a fixed, small workload: no timing, so it
# is safe to run anywhere. Usage: bash bench/scrape-bytes.sh [GATEWAY_DLL]
# Workload: wait for the first probe round, 60 purchases (unique keys), 10 replays, one bad
# request, a few reads of every public page, then a second probe round; scrape and count.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
PORT=${PORT:-18181}
require_number PORT
require_free_ports "$PORT"
WORK=$(mktemp -d)
trap cleanup EXIT
DLL=${1:-}
if [[ -z $DLL ]]; then
  dotnet build src/Meterai.Gateway -c Release -o "$WORK/gateway" -v q -nologo >&2
  DLL=$WORK/gateway/Meterai.Gateway.dll
fi
URL=http://$HOST:$PORT
start gateway dotnet "$DLL" --urls "$URL" --Probing:IntervalSeconds 2 --Probing:TimeoutSeconds 2 --Metrics:LedgerGaugeRefreshSeconds 1
wait_ready gateway "$STARTED" "$URL/readyz"
# A purchase is only routed once a probe found sellers.
for _ in $(seq 1 100); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/api/purchases" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: warmup-$RANDOM$RANDOM" -d '{"quantity":1,"applicantRef":"warm"}') == 201 ]] && break
  sleep 0.2
done
for i in $(seq 1 60); do
  curl -s -o /dev/null "$URL/api/purchases" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: scrape-bytes-$i" -d '{"quantity":1,"applicantRef":"bytes"}'
done
for i in $(seq 1 10); do
  curl -s -o /dev/null "$URL/api/purchases" -H 'Content-Type: application/json' \
    -H "Idempotency-Key: scrape-bytes-$i" -d '{"quantity":1,"applicantRef":"bytes"}'
done
curl -s -o /dev/null "$URL/api/purchases" -H 'Content-Type: application/json' -d '{}'
for path in /api/status /status /healthz /readyz /api/purchases/pur_0 /oversight /metrics; do
  curl -s -o /dev/null "$URL$path"
done
sleep 5 # two more probe rounds and a ledger-gauge refresh
curl -s "$URL/metrics" >"$WORK/scrape.txt"
bytes=$(wc -c <"$WORK/scrape.txt")
families=$(grep -c '^# TYPE ' "$WORK/scrape.txt" || true)
samples=$(grep -vc '^#' "$WORK/scrape.txt" || true)
printf 'bytes %s families %s sample_lines %s\n' "$bytes" "$families" "$samples"
if [[ -n ${TOP:-} ]]; then
  grep -v '^#' "$WORK/scrape.txt" | sed -E 's/[{ ].*//; s/_(bucket|sum|count)$//' | sort | uniq -c | sort -rn | head -"$TOP"
  awk '!/^#/ { n=$0; sub(/[{ ].*/, "", n); sub(/_(bucket|sum|count)$/, "", n); b[n]+=length($0)+1 } END { for (k in b) print b[k], k }' "$WORK/scrape.txt" | sort -rn | head -"$TOP"
fi
cp "$WORK/scrape.txt" "${SCRAPE_OUT:-/dev/null}"
VALID=1
