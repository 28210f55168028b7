#!/usr/bin/env bash
# make bench-instructions: CPU instructions the gateway spends per request, counted by valgrind's
# callgrind. Unlike CPU time, the count does not move with what else the machine is doing, so
# two trees can be compared on a busy 2-core machine: BENCH_SRC=/other/checkout/src runs that
# tree's code with this checkout's environment. Usage: bench/instructions.sh [SCENARIO ...]
# (default: the shared harness's four same-protocol scenarios), BENCH_REQUESTS per scenario (300).
# BENCH_TOKEN_DELAY_MS (default 0) spaces the mock's stream chunks, as a real model's are: then
# each chunk is read on its own and the per-chunk costs show (counts vary more, about ±5%).
# BENCH_MODEL names the model asked for instead of bench-model / bench-claude: a translated rule
# of bench-config.yaml (bench-model-via-anthropic with openai-stream) counts the codecs' cost.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind / brew install valgrind)" >&2; exit 1; }
SHARED=${BENCH_HARNESS:-../shared/bench}
VENV=.venv-bench
N=${BENCH_REQUESTS:-300}
SRC=${BENCH_SRC:-$PWD/src}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet -r "$SHARED/requirements.txt"
[ $# -gt 0 ] || set -- openai openai-stream anthropic anthropic-stream

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d)
trap 'kill $MOCK_PID $GW_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
MOCK_PORT=$(free_port)
GW_PORT=$(free_port)
"$VENV/bin/python" "$SHARED/mock_upstream.py" --port "$MOCK_PORT" \
  --token-delay-ms "${BENCH_TOKEN_DELAY_MS:-0}" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
# PYTHONMALLOC=malloc: valgrind sees every allocation (pymalloc's arenas confuse it).
BENCH_UPSTREAM="http://127.0.0.1:$MOCK_PORT" BENCH_RESPONSES_UPSTREAM="http://127.0.0.1:$MOCK_PORT" MLX_MANAGER_ADMIN_TOKEN=bench \
  PYTHONPATH="$SRC" PYTHONMALLOC=malloc \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$WORK/cg.out" \
  .venv/bin/python -m mlx_manager serve --port "$GW_PORT" --data-dir "$WORK/data" \
  --config bench/bench-config.yaml >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1200); do
  curl -sf "http://127.0.0.1:$GW_PORT/health" >/dev/null && break
  sleep 0.25
done

load() {  # scenario requests
  local model=bench-model
  case $1 in anthropic*) model=bench-claude ;; esac
  model=${BENCH_MODEL:-$model}
  "$VENV/bin/python" "$SHARED/loadgen.py" --url "http://127.0.0.1:$GW_PORT" --scenario "$1" -c 1 \
    -n "$2" -d 600 --api-key sk-bench --model "$model" --warmup 0 >"$WORK/load.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["errors"] > 0)' "$WORK/load.json"
}

echo "scenario           instructions/request   ($N requests each, c=1, code from $SRC)"
i=0
for scenario in "$@"; do
  load "$scenario" 100  # imports, pools, caches: not counted
  callgrind_control -z "$GW_PID" >/dev/null 2>&1
  callgrind_control -i on "$GW_PID" >/dev/null 2>&1
  load "$scenario" "$N"
  callgrind_control -i off "$GW_PID" >/dev/null 2>&1
  callgrind_control -d "$GW_PID" >/dev/null 2>&1
  i=$((i + 1))
  total=$(awk '/^totals:/ {print $2}' "$WORK/cg.out.$i")
  printf '%-18s %12s\n' "$scenario" "$(python3 -c "print(f'{$total / $N:,.0f}')")"
done
