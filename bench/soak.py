"""A bounded soak: steady load through the gateway for a while, sampling its memory.

    .venv/bin/python bench/soak.py --minutes 10

Starts the shared harness's mock upstream and the gateway (as ``bench/run.sh`` does), keeps
``--concurrency`` closed-loop clients busy on the fast-path OpenAI scenario, samples the
gateway's resident memory every ``--every`` seconds, and writes ``bench/results/soak.csv`` and a
chart ``bench/results/soak.svg``. Growth is judged on the second half (after warm-up): the
least-squares slope of RSS in MiB per minute.
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BENCH_HARNESS", ROOT.parent / "shared" / "bench"))
BENCH_PY = ROOT / ".venv-bench" / "bin" / "python"
RESULTS = ROOT / "bench" / "results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def slope(points: list[tuple[float, float]]) -> float:
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points) or 1.0
    return sum((p[0] - mx) * (p[1] - my) for p in points) / var


def svg(points: list[tuple[float, float]], path: Path) -> None:
    width, height, pad = 640, 240, 40
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    lo, hi = min(ys) - 5, max(ys) + 5
    span = max(xs) or 1.0

    def at(x: float, y: float) -> str:
        px = pad + (x / span) * (width - 2 * pad)
        py = height - pad - (y - lo) / (hi - lo) * (height - 2 * pad)
        return f"{px:.1f},{py:.1f}"

    line = " ".join(at(x, y) for x, y in points)
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<polyline fill="none" stroke="#2563eb" stroke-width="2" points="{line}"/>'
        f'<text x="{pad}" y="20" font-family="sans-serif" font-size="13">gateway RSS (MiB) over'
        f" {span / 60:.0f} min of steady load: {lo + 5:.0f}–{hi - 5:.0f} MiB</text>"
        f'<text x="{pad}" y="{height - 10}" font-family="sans-serif" font-size="11">0 min</text>'
        f'<text x="{width - pad - 40}" y="{height - 10}" font-family="sans-serif"'
        f' font-size="11">{span / 60:.0f} min</text></svg>'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--every", type=float, default=10)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    mock_port, gw_port = free_port(), free_port()
    data = tempfile.mkdtemp()
    mock = subprocess.Popen(  # noqa: S603
        [str(BENCH_PY), str(SHARED / "mock_upstream.py"), "--port", str(mock_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "BENCH_UPSTREAM": f"http://127.0.0.1:{mock_port}",
        # The soak sends no Responses requests: the provider only has to be declared.
        "BENCH_RESPONSES_UPSTREAM": f"http://127.0.0.1:{mock_port}",
        "MLX_MANAGER_ADMIN_TOKEN": "bench",
        "MLX_MANAGER_LOG_LEVEL": "warning",
    }
    gateway = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "mlx-manager"),
            "serve",
            "--port",
            str(gw_port),
            "--data-dir",
            data,
            "--config",
            str(ROOT / "bench" / "bench-config.yaml"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load: subprocess.Popen[bytes] | None = None
    try:
        wait_for(f"http://127.0.0.1:{gw_port}/ready")
        wait_for(f"http://127.0.0.1:{mock_port}/health")
        seconds = args.minutes * 60
        load = subprocess.Popen(  # noqa: S603
            [
                str(BENCH_PY),
                str(SHARED / "loadgen.py"),
                "--url",
                f"http://127.0.0.1:{gw_port}",
                "--scenario",
                "openai",
                "-c",
                str(args.concurrency),
                "-n",
                "100000000",
                "-d",
                str(seconds),
                "--api-key",
                "sk-bench",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        points: list[tuple[float, float]] = []
        while load.poll() is None:
            points.append((time.monotonic() - started, rss_mib(gateway.pid)))
            print(f"{points[-1][0]:7.0f} s  {points[-1][1]:7.1f} MiB", flush=True)
            time.sleep(args.every)
        summary = (load.stdout.read() if load.stdout else b"").decode()
    finally:
        for proc in (load, gateway, mock):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
    with (RESULTS / "soak.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["seconds", "rss_mib"])
        writer.writerows((round(t, 1), round(m, 2)) for t, m in points)
    svg(points, RESULTS / "soak.svg")
    second_half = points[len(points) // 2 :]
    growth = slope(second_half) * 60
    print(summary.strip())
    print(
        f"RSS start {points[0][1]:.1f} MiB, end {points[-1][1]:.1f} MiB, peak"
        f" {max(p[1] for p in points):.1f} MiB; second-half slope {growth:+.2f} MiB/min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
