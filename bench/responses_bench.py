#!/usr/bin/env python3
"""``make bench``'s Responses API scenarios, direct and through the gateway side by side.

The shared ``run_bench.py`` knows chat and messages only, so this runs the same method (preflight,
gateway warm-up, ABBA rounds, pooled samples, gateway CPU per request from /proc) with
``bench/responses_load.py`` on the gateway side, and prints the table with the shared
``run_bench.table``, so its rows read as the chat scenarios' do:

  responses>responses[-stream]  the Responses fast path: model bench-responses, a Responses-only
                                provider on bench/responses_mock.py (direct: that mock)
  responses>openai[-stream]     translated: model bench-model, the shared mock's chat completions
                                (direct: the shared loadgen's openai scenario at that mock)

Every side uses the python engine (TTFT, every reply checked).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HARNESS = Path(os.environ.get("BENCH_HARNESS", HERE.parents[1] / "shared/bench"))
sys.path.insert(0, str(HARNESS))
import run_bench  # noqa: E402  (the shared harness: pooling and the table)

# name -> (direct: loadgen scenario or None for responses_load, stream, gateway model)
SCENARIOS = {
    "responses>responses": (None, False, "bench-responses"),
    "responses>responses-stream": (None, True, "bench-responses"),
    "responses>openai": ("openai", False, "bench-model"),
    "responses>openai-stream": ("openai-stream", True, "bench-model"),
}


def command(args: argparse.Namespace, side: str, scenario: str) -> tuple[list[str], str]:
    """The load generator's command line without its per-run options, and the model."""
    direct_scn, stream, model = SCENARIOS[scenario]
    if side == "direct" and direct_scn is not None:
        cmd = [sys.executable, str(HARNESS / "loadgen.py"), "--url", args.upstream_url,
               "--scenario", direct_scn, "--engine", "python", "--api-key", args.upstream_api_key]
    else:
        url = args.responses_url if side == "direct" else args.gateway_url
        key = args.upstream_api_key if side == "direct" else args.api_key
        cmd = [sys.executable, str(HERE / "responses_load.py"), "--url", url, "--api-key", key]
        if stream:
            cmd.append("--stream")
    return [*cmd, "--model", model, "--timeout", str(args.timeout)], model


def load(args: argparse.Namespace, side: str, scenario: str, *, conc: int, requests: int,
         duration: float, warmup: int | None, watch: dict[str, int], raw: bool) -> dict[str, Any]:
    cmd, _ = command(args, side, scenario)
    cmd += ["-c", str(conc), "-n", str(requests), "-d", str(duration)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    if raw:
        cmd.append("--raw")
    for name, pid in watch.items():
        cmd += ["--watch", f"{name}={pid}"]
    proc = subprocess.run(cmd, capture_output=True, text=True,  # noqa: S603
                          timeout=duration + args.timeout + 60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {proc.stderr.strip()[-400:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def run_scenario(args: argparse.Namespace, name: str, levels: list[int],
                 watch: dict[str, int]) -> list[dict[str, Any]]:
    skip = None
    for side in ("direct", "gateway"):
        try:
            r = load(args, side, name, conc=1, requests=3, duration=10, warmup=0, watch={},
                     raw=False)
            if r["errors"]:
                skip = f"{side} preflight: {next(iter(r['error_samples']))}"
        except Exception as exc:
            skip = f"{side} preflight: {exc}"
        if skip:
            break
    if not skip:
        try:  # unrecorded, so lazy imports and pools are done before measuring
            load(args, "gateway", name, conc=8, requests=args.gateway_warmup, duration=5,
                 warmup=0, watch={}, raw=False)
        except Exception as exc:
            skip = f"gateway warm-up: {exc}"
    if skip:
        print(f"# {name}: {skip}", file=sys.stderr)
        return [{"scenario": name, "concurrency": c, "skipped": skip} for c in levels]
    rows = []
    for conc in levels:
        per_side: dict[str, list[dict[str, Any]]] = {"direct": [], "gateway": []}
        for rnd in range(args.rounds):
            for side in ("direct", "gateway") if rnd % 2 == 0 else ("gateway", "direct"):
                res = load(args, side, name, conc=conc, requests=args.requests,
                           duration=args.duration, warmup=None, watch=watch, raw=True)
                per_side[side].append(res)
                lat = res["latency_ms"] or {}
                print(f"#   {name:<26} c={conc:<3} round {rnd + 1} {side:<7} "
                      f"rps={res['rps']:>8.1f} p50={run_bench.fmt(lat.get('p50'))}ms "
                      f"err={res['errors']}", file=sys.stderr, flush=True)
        rows.append({
            "scenario": name, "concurrency": conc, "engine": "python",
            "direct": run_bench.merge(per_side["direct"]),
            "gateway": run_bench.merge(per_side["gateway"]),
            "rounds": {s: [{k: v for k, v in r.items() if k != "samples_ms"} for r in rs]
                       for s, rs in per_side.items()},
        })
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gateway-url", required=True)
    ap.add_argument("--upstream-url", required=True, help="the shared mock (chat completions)")
    ap.add_argument("--responses-url", required=True, help="bench/responses_mock.py")
    ap.add_argument("--gateway-pid", type=int, help="report the gateway's CPU per request")
    ap.add_argument("--upstream-pid", type=int, action="append", default=[],
                    help="a mock's PID, for its CPU use (repeatable)")
    ap.add_argument("--api-key", default="sk-bench")
    ap.add_argument("--upstream-api-key", default="sk-upstream")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--concurrency", default="1,32")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds per side per round")
    ap.add_argument("--requests", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--gateway-warmup", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--json-out")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if bad := [s for s in names if s not in SCENARIOS]:
        ap.error(f"unknown scenario(s): {bad}")
    levels = [int(c) for c in args.concurrency.split(",")]
    watch = {"gateway": args.gateway_pid} if args.gateway_pid else {}
    watch |= {f"upstream{i}": pid for i, pid in enumerate(args.upstream_pid)}

    t0 = time.time()
    rows = [row for name in names for row in run_scenario(args, name, levels, watch)]
    print()
    print(run_bench.table(rows, args.markdown))
    print(f"# Responses API scenarios; python engine on every side; wall {time.time() - t0:.1f} s")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"args": vars(args), "results": rows}, f, indent=1)
        print(f"# full results: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
