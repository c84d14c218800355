#!/usr/bin/env bash
# A bounded load test of `image2text serve` on loopback: starts the server, drives it with wrk (Debian package `wrk`)
# for a fixed time and number of connections, prints requests/s and latency percentiles, and stops the server with
# SIGTERM (graceful shutdown). It runs once per --max-batch-size given, so batching can be compared with none.
#
#   tools/load/serve-load.sh [--model DIR] [--image FILE] [--endpoint caption|answer] [--duration 20s]
#                            [--connections 8] [--batch-sizes "1 8"]
#
# Needs `swift build -c release` first. Nothing leaves 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."

model=Models/git-tiny-easyvqa
image=Fixtures/easyvqa/0.png
endpoint=caption
duration=20s
connections=8
batch_sizes="1 8"
port=18080
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --endpoint) endpoint=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --batch-sizes) batch_sizes=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "serve-load.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "serve-load.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
binary=.build/release/image2text
[ -x "$binary" ] || { echo "serve-load.sh: build first: swift build -c release" >&2; exit 1; }

body=$(mktemp)
log=$(mktemp)
trap 'rm -f "$body" "$log"; [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true' EXIT
question=""
[ "$endpoint" = answer ] && question=', "question": "what shape is in the image?"'
printf '{"image": "%s"%s}' "$(base64 -w0 "$image")" "$question" >"$body"

echo "model $model, image $image ($(wc -c <"$image") bytes), POST /v1/$endpoint, $connections connections, $duration, $(nproc) cores"
for batch in $batch_sizes; do
  "$binary" serve --model "$model" --host 127.0.0.1 --port "$port" --max-batch-size "$batch" --log-level warning 2>"$log" &
  server=$!
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo
  echo "== --max-batch-size $batch"
  # wrk's own timeout stays above any latency here: a request it gave up on would still be computed.
  IMAGE2TEXT_LOAD_BODY="$body" wrk --latency --timeout 300s -t 2 -c "$connections" -d "$duration" -s tools/load/post.lua \
    "http://127.0.0.1:$port/v1/$endpoint" | awk '/Latency Distribution/ { show = 1 } show || /Requests\/sec|Non-2xx|Socket errors/ { print } / requests in / { show = 0 }'
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^image2text_batch_size_(sum|count)' || true
  kill -TERM "$server"
  wait "$server" || { echo "the server did not stop cleanly" >&2; cat "$log" >&2; exit 1; }
  server=
done
