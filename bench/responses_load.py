#!/usr/bin/env python3
"""Closed-loop load generator for ``POST /v1/responses``, the shared ``loadgen.py``'s twin.

The shared harness (``../shared/bench``, not edited here) sends chat completions and Anthropic
messages only. This sends ``{"model", "input", "stream", "store": false}`` with the same closed
loop (c workers, each sending its next request when the reply is complete, until -n requests
or -d seconds), the same warm-up and connection ramp, and prints one JSON object with the same
fields as ``loadgen.py``'s python engine, so the shared ``run_bench`` helpers pool and tabulate
it. Every reply is checked: non-stream, a ``response`` object completed with output; stream,
at least one ``response.output_text.delta`` (its arrival is the TTFT) and ``response.completed``.

    python bench/responses_load.py --url http://127.0.0.1:4000 --stream -c 32 -n 5000 -d 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HARNESS = Path(os.environ.get("BENCH_HARNESS", ROOT.parent / "shared/bench"))
sys.path.insert(0, str(HARNESS))
import aiohttp  # noqa: E402
import loadgen  # noqa: E402  (the shared harness: percentiles)
import procstat  # noqa: E402  (the shared harness: CPU of watched process trees)

Result = tuple[str | None, float, float | None, int]


def build_request(*, model: str, api_key: str, stream: bool, prompt_chars: int,
                  accept_encoding: str) -> tuple[dict[str, str], bytes]:
    prompt = ("Benchmark prompt. " * (prompt_chars // 18 + 1))[:prompt_chars]
    body = {"model": model, "input": prompt, "stream": stream, "store": False}
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json",
               "Accept-Encoding": accept_encoding}
    return headers, json.dumps(body).encode()


async def one_request(session: aiohttp.ClientSession, url: str, *, headers: dict[str, str],
                      body: bytes, stream: bool) -> Result:
    """(error or None, latency_s, ttft_s or None, SSE data lines) for one request."""
    t0 = time.perf_counter()
    async with session.post(url, data=body, headers=headers) as resp:
        if resp.status != 200:
            text = (await resp.read())[:160].decode("utf-8", "replace")
            return f"HTTP {resp.status}: {text}", time.perf_counter() - t0, None, 0
        if not stream:
            data = await resp.read()
            lat = time.perf_counter() - t0
            try:
                obj = json.loads(data)
                ok = (obj.get("object") == "response" and obj.get("status") == "completed"
                      and bool(obj.get("output")))
            except ValueError:
                ok = False
            return (None if ok else f"bad body: {data[:120]!r}"), lat, None, 0

        ttft = None
        done = False
        events = 0
        buf = b""
        async for chunk in resp.content.iter_any():
            buf += chunk
            lines = buf.split(b"\n")
            buf = lines.pop()
            for line in lines:
                if not line.startswith(b"data:"):
                    continue  # "event:" lines and blank separators
                events += 1
                payload = line[5:].lstrip()
                # The type is the first key in every event the gateway and the mock send; a
                # prefix test spares a JSON parse per delta, as loadgen does for Anthropic.
                if payload.startswith(b'{"type":"response.output_text.delta"'):
                    if ttft is None:
                        ttft = time.perf_counter() - t0
                elif payload.startswith(b'{"type":"response.completed"'):
                    done = True
                elif payload.startswith((b'{"type":"error"', b'{"type":"response.failed"')):
                    err = f"stream error: {payload[:120]!r}"
                    return err, time.perf_counter() - t0, None, events
        lat = time.perf_counter() - t0
        if ttft is None:
            return "stream had no text delta", lat, None, events
        if not done:
            return "stream ended without response.completed", lat, ttft, events
        return None, lat, ttft, events


async def run(args: argparse.Namespace) -> dict[str, Any]:
    headers, body = build_request(model=args.model, api_key=args.api_key, stream=args.stream,
                                  prompt_chars=args.prompt_chars,
                                  accept_encoding=args.accept_encoding)
    url = args.url.rstrip("/") + "/v1/responses"
    conn = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency,
                                keepalive_timeout=60)
    lat_ms: list[float] = []
    ttft_ms: list[float] = []
    events_total = 0
    errors: Counter[str] = Counter()

    async with aiohttp.ClientSession(connector=conn,
                                     timeout=aiohttp.ClientTimeout(total=args.timeout)) as session:

        async def phase(n_requests: int, seconds: float, record: bool, ramp_s: float) -> float:
            # As loadgen's: the ramp spreads the connections' opening over the workers; in the
            # warm-up every worker sends at least once, so all c connections are open after it.
            issued = 0
            deadline = time.perf_counter() + seconds

            async def worker(i: int) -> None:
                nonlocal issued, events_total
                if ramp_s:
                    await asyncio.sleep(i * ramp_s / args.concurrency)
                sent = 0
                while time.perf_counter() < deadline and (
                    issued < n_requests or (not record and sent == 0)
                ):
                    issued += 1
                    sent += 1
                    try:
                        err, lat, ttft, ev = await one_request(session, url, headers=headers,
                                                               body=body, stream=args.stream)
                    except Exception as exc:  # connection reset, timeout, ...
                        err, lat, ttft, ev = f"{type(exc).__name__}: {exc}"[:160], 0.0, None, 0
                    if not record:
                        continue
                    if err:
                        errors[err] += 1
                        continue
                    lat_ms.append(lat * 1000.0)
                    if ttft is not None:
                        ttft_ms.append(ttft * 1000.0)
                    events_total += ev

            t0 = time.perf_counter()
            await asyncio.wait_for(
                asyncio.gather(*(worker(i) for i in range(args.concurrency))),
                timeout=seconds + args.timeout + 5,
            )
            return time.perf_counter() - t0

        ramp = args.ramp_ms / 1000.0
        if args.warmup:
            await phase(args.warmup, min(args.duration, 10.0), record=False, ramp_s=ramp)
            ramp = 0.0
        watch = procstat.CpuWatch(args.watch)
        watch.start()
        cpu0 = os.times()
        elapsed = await phase(args.requests, args.duration, record=True, ramp_s=ramp)
        cpu1 = os.times()
        watched = watch.stop(len(lat_ms))

    ok = len(lat_ms)
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    out: dict[str, Any] = {
        "requests_ok": ok, "errors": sum(errors.values()),
        "error_samples": dict(errors.most_common(5)),
        "elapsed_s": round(elapsed, 3), "rps": round(ok / elapsed, 1) if elapsed else 0.0,
        "latency_ms": loadgen.summarize(lat_ms),
        "ttft_ms": loadgen.summarize(ttft_ms) if args.stream else None,
        "sse_events_per_stream": round(events_total / ok, 1) if args.stream and ok else None,
        "client_cpu_pct": round(100.0 * cpu / elapsed, 1) if elapsed else None,
        "watch": watched,
    }
    if args.raw:
        out["samples_ms"] = {"latency": [round(x, 3) for x in lat_ms],
                             "ttft": [round(x, 3) for x in ttft_ms]}
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="server root, e.g. http://127.0.0.1:4000 (no /v1)")
    ap.add_argument("--stream", action="store_true", help="ask for a stream of events")
    ap.add_argument("--model", default="bench-responses")
    ap.add_argument("-c", "--concurrency", type=int, default=1)
    ap.add_argument("-n", "--requests", type=int, default=1000, help="max measured requests")
    ap.add_argument("-d", "--duration", type=float, default=5.0, help="max measured seconds")
    ap.add_argument("--warmup", type=int, default=None,
                    help="unrecorded warm-up requests first (default 2*concurrency+10)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    ap.add_argument("--api-key", default="sk-bench")
    ap.add_argument("--prompt-chars", type=int, default=64)
    ap.add_argument("--accept-encoding", default="gzip, deflate")
    ap.add_argument("--ramp-ms", type=float, default=300.0,
                    help="spread the opening of the connections over this time")
    ap.add_argument("--raw", action="store_true", help="include every latency sample")
    ap.add_argument("--watch", action="append", default=[], metavar="NAME=PID",
                    help="report CPU used by this process tree during the measured phase")
    args = ap.parse_args(argv)
    try:
        args.watch = {k: int(v) for k, v in (w.split("=", 1) for w in args.watch)}
    except ValueError:
        ap.error("--watch takes NAME=PID")
    if args.concurrency < 1 or args.requests < 1 or args.duration <= 0:
        ap.error("concurrency, requests and duration must be positive")
    if args.warmup is None:
        args.warmup = 2 * args.concurrency + 10
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import uvloop
    except ImportError:
        res = asyncio.run(run(args))
    else:
        res = uvloop.run(run(args))
    out = {"engine": "python", "scenario": "responses-stream" if args.stream else "responses",
           "url": args.url, "model": args.model, "concurrency": args.concurrency, **res}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
