#!/usr/bin/env bash
# make bench: the gateway against ../shared/bench's mock upstream, side by side with calling the
# mock directly (see ../shared/bench/README.md). Extra arguments go to run_bench.py.
# Then the local engine: tokens/s through /v1 vs mlx-lm directly (bench/local_bench.py; skipped
# with BENCH_LOCAL=0 or without mlx-lm).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${BENCH_HARNESS:-../shared/bench}
VENV=.venv-bench
OUT=bench/results
mkdir -p "$OUT"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet -r "$SHARED/requirements.txt"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || echo "wrk not installed: the Python load engine is used"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MOCK_PORT=$(free_port)
GW_PORT=$(free_port)
DATA=$(mktemp -d)
RESP_PORT=$(free_port)
trap 'kill $MOCK_PID $RESP_PID $GW_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$DATA"' EXIT

"$VENV/bin/python" "$SHARED/mock_upstream.py" --port "$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
MOCK_PID=$!
"$VENV/bin/python" bench/responses_mock.py --port "$RESP_PORT" >"$OUT/responses-mock.log" 2>&1 &
RESP_PID=$!
BENCH_UPSTREAM="http://127.0.0.1:$MOCK_PORT" BENCH_RESPONSES_UPSTREAM="http://127.0.0.1:$RESP_PORT" MLX_MANAGER_ADMIN_TOKEN=bench \
  .venv/bin/mlx-manager serve --port "$GW_PORT" --data-dir "$DATA" --config bench/bench-config.yaml \
  >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GW_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$MOCK_PORT/health" >/dev/null \
    && curl -sf "http://127.0.0.1:$RESP_PORT/health" >/dev/null && break
  sleep 0.1
done

"$VENV/bin/python" "$SHARED/check_sdks.py" --url "http://127.0.0.1:$GW_PORT" --api-key sk-bench
"$VENV/bin/python" "$SHARED/run_bench.py" \
  --upstream-url "http://127.0.0.1:$MOCK_PORT" --gateway-url "http://127.0.0.1:$GW_PORT" \
  --gateway-pid "$GW_PID" --upstream-pid "$MOCK_PID" --api-key sk-bench \
  --scenarios "openai,openai-stream,anthropic,anthropic-stream,openai>claude,openai>claude-stream,anthropic>openai,anthropic>openai-stream" \
  --markdown --json-out "$OUT/latest.json" "$@"
# The Responses API (same-protocol and translated), which the shared harness does not send.
"$VENV/bin/python" bench/responses_bench.py \
  --upstream-url "http://127.0.0.1:$MOCK_PORT" --responses-url "http://127.0.0.1:$RESP_PORT" \
  --gateway-url "http://127.0.0.1:$GW_PORT" --gateway-pid "$GW_PID" --upstream-pid "$MOCK_PID" \
  --upstream-pid "$RESP_PID" --api-key sk-bench --markdown --json-out "$OUT/responses.json"

if [ "${BENCH_LOCAL:-1}" != 0 ]; then
  if .venv/bin/python -c 'import mlx_lm' 2>/dev/null; then
    .venv/bin/python bench/local_bench.py --json-out "$OUT/local.json"
  else
    echo "mlx-lm is not installed: the local-engine benchmark is skipped"
  fi
fi
