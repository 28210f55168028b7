"""The local engine's speed: tokens/s through ``/v1`` against mlx-lm called directly.

A random llama model (bigger than the tests' one, so a step costs real work) is generated into a
fresh data dir; the gateway serves it as a subprocess. Two comparisons, greedy decoding, a fixed
``max_tokens`` (a random model rarely emits EOS; the tokens actually produced are counted):

* concurrency 1: streamed ``/v1/chat/completions`` vs ``mlx_lm.stream_generate`` in this process
  on the same model and prompt tokens (budget: the gateway within 10%);
* aggregate tokens/s through ``/v1`` at concurrency 8 vs 1 (budget: at least 3x).

Sides alternate round by round (ABBA), so drift on a shared machine hits both alike. Rates are
end to end: from sending the request (or calling ``stream_generate``) to the last token.

    .venv/bin/python bench/local_bench.py [--layers 4 --hidden 256 --max-tokens 128]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
MODEL = "bench-llama"
ADMIN_TOKEN = "bench"  # noqa: S105 - the throw-away gateway's admin token
MESSAGES = [{"role": "user", "content": "Tell me a story."}]


@dataclass(frozen=True, slots=True)
class Run:
    """One request: tokens produced and seconds from start to the last token."""

    tokens: int
    seconds: float
    ttft: float
    text: str


@dataclass(frozen=True, slots=True)
class Side:
    label: str
    tokens_per_second: float
    runs: int
    tokens: int
    ttft_ms_p50: float


def summarize(label: str, runs: list[Run], *, wall: float | None = None) -> Side:
    """Total tokens over total time (or over ``wall``, for concurrent runs)."""
    tokens = sum(r.tokens for r in runs)
    seconds = wall if wall is not None else sum(r.seconds for r in runs)
    return Side(
        label=label,
        tokens_per_second=tokens / seconds,
        runs=len(runs),
        tokens=tokens,
        ttft_ms_p50=statistics.median(r.ttft for r in runs) * 1000,
    )


class Direct:
    """mlx-lm's ``stream_generate`` on the model, in this process."""

    def __init__(self, path: Path) -> None:
        from mlx_lm.utils import load

        self.model, self.tokenizer = load(str(path))[:2]
        # Exactly what the gateway renders: the chat template, then the text encoded as is.
        text = self.tokenizer.apply_chat_template(
            MESSAGES, add_generation_prompt=True, tokenize=False
        )
        self.prompt = self.tokenizer.encode(text, add_special_tokens=False)

    def generate(self, max_tokens: int) -> Run:
        from mlx_lm import stream_generate
        from mlx_lm.sample_utils import make_sampler

        started = time.perf_counter()
        ttft = 0.0
        pieces: list[str] = []
        tokens = 0
        for response in stream_generate(
            self.model,
            self.tokenizer,
            self.prompt,
            max_tokens=max_tokens,
            sampler=make_sampler(0.0),
        ):
            if not pieces:
                ttft = time.perf_counter() - started
            pieces.append(response.text)
            tokens = response.generation_tokens
        return Run(
            tokens=tokens, seconds=time.perf_counter() - started, ttft=ttft, text="".join(pieces)
        )

    def batch(self, *, concurrency: int, max_tokens: int) -> tuple[list[Run], float]:
        """``concurrency`` requests decoded together by mlx-lm's ``BatchGenerator``: what this
        machine's batching can give at best, with no serving around it."""
        from mlx_lm.generate import BatchGenerator

        eos = sorted(self.tokenizer.eos_token_ids)
        generator = BatchGenerator(self.model, stop_tokens=[[t] for t in eos])
        started = time.perf_counter()
        uids = generator.insert([self.prompt] * concurrency, max_tokens=[max_tokens] * concurrency)
        tokens = dict.fromkeys(uids, 0)
        first: dict[int, float] = {}
        ended: dict[int, float] = {}
        while len(ended) < concurrency:
            _, responses = generator.next()
            now = time.perf_counter()
            for response in responses:
                tokens[response.uid] += 1
                first.setdefault(response.uid, now)
                if response.finish_reason is not None:
                    ended[response.uid] = now
        generator.close()
        runs = [
            Run(tokens=tokens[u], seconds=ended[u] - started, ttft=first[u] - started, text="")
            for u in uids
        ]
        return runs, time.perf_counter() - started


async def stream_once(client: httpx.AsyncClient, max_tokens: int) -> Run:
    body = {
        "model": MODEL,
        "messages": MESSAGES,
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    started = time.perf_counter()
    ttft, ended, tokens = 0.0, 0.0, 0
    pieces: list[str] = []
    async with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for choice in chunk["choices"]:
                if text := choice["delta"].get("content"):
                    if not pieces:
                        ttft = time.perf_counter() - started
                    pieces.append(text)
                    ended = time.perf_counter()
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
                ended = time.perf_counter()
    return Run(tokens=tokens, seconds=ended - started, ttft=ttft, text="".join(pieces))


async def gateway_round(
    client: httpx.AsyncClient, *, concurrency: int, max_tokens: int
) -> tuple[list[Run], float]:
    started = time.perf_counter()
    runs = await asyncio.gather(*(stream_once(client, max_tokens) for _ in range(concurrency)))
    return list(runs), time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_gateway(*, data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MLX_MANAGER_ADMIN_TOKEN": ADMIN_TOKEN,
        "MLX_MANAGER_HF_CACHE": str(data / "hf"),
        "MLX_MANAGER_LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "mlx_manager", "serve"]
    command += ["--port", str(port), "--data-dir", str(data)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the gateway exited at start-up; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"the gateway did not start in 60 s; see {log}")


async def measure(args: argparse.Namespace, direct: Direct, base_url: str) -> dict[str, Any]:
    n = args.max_tokens
    async with httpx.AsyncClient(
        base_url=base_url, timeout=300, limits=httpx.Limits(max_connections=64)
    ) as client:
        # Warm-up: the model loads, and both paths and batch shapes run once.
        direct.generate(n)
        direct.batch(concurrency=args.concurrency, max_tokens=n)
        await gateway_round(client, concurrency=1, max_tokens=n)
        await gateway_round(client, concurrency=args.concurrency, max_tokens=n)

        direct_runs: list[Run] = []
        direct_batch_runs: list[Run] = []
        direct_batch_wall = 0.0
        gw_runs: list[Run] = []
        batch_runs: list[Run] = []
        batch_wall = 0.0
        for _ in range(args.rounds):
            # ABBA at each concurrency, so drift between neighbours hits both sides alike.
            for side in ("direct", "gateway", "gateway", "direct"):
                if side == "direct":
                    direct_runs.append(direct.generate(n))
                else:
                    runs, _ = await gateway_round(client, concurrency=1, max_tokens=n)
                    gw_runs += runs
            for side in ("direct", "gateway", "gateway", "direct"):
                if side == "direct":
                    runs, wall = direct.batch(concurrency=args.concurrency, max_tokens=n)
                    direct_batch_runs += runs
                    direct_batch_wall += wall
                else:
                    runs, wall = await gateway_round(
                        client, concurrency=args.concurrency, max_tokens=n
                    )
                    batch_runs += runs
                    batch_wall += wall

    every = direct_runs + direct_batch_runs + gw_runs + batch_runs
    short = [r.tokens for r in every if r.tokens != n]
    same_text = {r.text for r in direct_runs + gw_runs} == {direct_runs[0].text}
    c = args.concurrency
    sides = {
        "direct_c1": summarize("mlx-lm stream_generate, c=1", direct_runs),
        "gateway_c1": summarize("/v1 streaming, c=1", gw_runs),
        "direct_c8": summarize(
            f"mlx-lm BatchGenerator, c={c} (aggregate)", direct_batch_runs, wall=direct_batch_wall
        ),
        "gateway_c8": summarize(f"/v1 streaming, c={c} (aggregate)", batch_runs, wall=batch_wall),
    }

    def rate(side: str) -> float:
        return sides[side].tokens_per_second

    ratio_c1 = rate("gateway_c1") / rate("direct_c1")
    scaling = rate("gateway_c8") / rate("gateway_c1")
    return {
        "sides": {k: asdict(v) for k, v in sides.items()},
        "gateway_vs_direct_c1": ratio_c1,
        "c8_vs_c1": scaling,
        # The ceiling on this machine: mlx-lm's own batching, with no server around it.
        "direct_c8_vs_c1": rate("direct_c8") / rate("direct_c1"),
        "gateway_vs_direct_c8": rate("gateway_c8") / rate("direct_c8"),
        "budgets": {
            "gateway_vs_direct_c1": {"min": 0.90, "met": ratio_c1 >= 0.90},
            "c8_vs_c1": {"min": 3.0, "met": scaling >= 3.0},
        },
        "greedy_text_identical": same_text,
        "runs_that_stopped_early": short,
    }


def print_table(result: dict[str, Any], *, model: dict[str, Any]) -> None:
    print(
        f"\nLocal engine: {model['layers']} layers, hidden {model['hidden']}, "
        f"{model['parameters'] / 1e6:.1f}M parameters, {model['max_tokens']} tokens per request"
    )
    print(f"| {'path':<42} | {'tok/s':>8} | {'ttft p50 ms':>11} | {'tokens':>7} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 13}|{'-' * 9}|")
    for side in result["sides"].values():
        print(
            f"| {side['label']:<42} | {side['tokens_per_second']:>8.1f} |"
            f" {side['ttft_ms_p50']:>11.1f} | {side['tokens']:>7} |"
        )
    budgets = result["budgets"]
    for key, label in (
        ("gateway_vs_direct_c1", "/v1 vs direct at c=1"),
        ("c8_vs_c1", "c=8 vs c=1 through /v1"),
    ):
        met = "met" if budgets[key]["met"] else "MISSED"
        print(f"{label}: {result[key]:.2f}x (budget >= {budgets[key]['min']:.2f}x: {met})")
    print(
        f"for reference, mlx-lm alone: c=8 vs c=1 {result['direct_c8_vs_c1']:.2f}x;"
        f" /v1 vs mlx-lm at c=8 {result['gateway_vs_direct_c8']:.2f}x"
    )
    if not result["greedy_text_identical"]:
        print("WARNING: greedy output differed between mlx-lm and the gateway")
    if result["runs_that_stopped_early"]:
        print(f"note: runs that stopped before max_tokens: {result['runs_that_stopped_early']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="ABBA rounds at each concurrency")
    parser.add_argument("--json-out", type=Path, default=ROOT / "bench/results/local.json")
    args = parser.parse_args()

    # The tests' model builder, with bench-sized dimensions.
    sys.path.insert(0, str(ROOT))
    from tests.tiny_model import Dims, build_tiny_model

    dims = Dims(
        hidden_size=args.hidden,
        intermediate_size=args.hidden * 2,
        num_hidden_layers=args.layers,
        num_attention_heads=8,
        num_key_value_heads=4,
    )
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlx-bench-") as tmp:
        data = Path(tmp)
        path = build_tiny_model(data / "models" / MODEL, dims=dims)
        direct = Direct(path)
        port = free_port()
        log = args.json_out.with_name("local-gateway.log")
        gateway = start_gateway(data=data, port=port, log=log)
        try:
            result = asyncio.run(measure(args, direct, f"http://127.0.0.1:{port}"))
        finally:
            gateway.terminate()
            gateway.wait(timeout=30)

    from mlx.utils import tree_flatten

    parameters = sum(v.size for _, v in tree_flatten(direct.model.parameters()))
    model = {
        "layers": args.layers,
        "hidden": args.hidden,
        "parameters": parameters,
        "max_tokens": args.max_tokens,
    }
    result = {
        "model": model,
        "settings": {"rounds": args.rounds, "concurrency": args.concurrency},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        **result,
    }
    print_table(result, model=model)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
