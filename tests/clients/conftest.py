"""The real agent clients, installed from npm once per version set, in front of a live gateway
whose two providers (one per protocol) lead to the scripted agent on a fake upstream."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from mlx_manager.settings import Settings
from tests.clients.scripted_agent import serve_scripted_agent
from tests.conftest import LiveServer
from tests.fakes.upstream import FakeUpstream

# The versions these tests were written against, in one place; a new set installs beside it.
NPM_CLIENTS = {
    "@openai/codex": "0.171.0",
    "@anthropic-ai/claude-code": "2.1.337",
    "opencode-ai": "1.18.33",
}
# Git-ignored, kept between runs: the three packages weigh about 1.2 GB.
CACHE = Path(__file__).parent / ".npm-clients"
INSTALL_TIMEOUT = 600
# One client run, tool round trip included; a hang fails the test instead of stalling CI.
RUN_TIMEOUT = 120

PROVIDERS = {"openai": "fake-openai", "anthropic": "fake-anthropic"}


@dataclass(frozen=True)
class NpmClients:
    bin: Path

    def command(self, name: str) -> str:
        return str(self.bin / name)


def _install(prefix: Path) -> None:
    specs = [f"{name}@{version}" for name, version in NPM_CLIENTS.items()]
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH")
    partial = prefix.with_name(prefix.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.monotonic()
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(partial), *specs],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm install failed ({done.returncode}):\n{done.stderr[-4000:]}")
    # Renamed when complete, so an interrupted install is never taken for a finished one.
    partial.rename(prefix)
    print(f"npm clients installed in {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="session")
def npm_clients() -> NpmClients:
    """Codex CLI, Claude Code and opencode, from the npm registry. Fails instead of skipping in
    CI when they cannot be installed."""
    key = "-".join(f"{name.rsplit('/', 1)[-1]}{version}" for name, version in NPM_CLIENTS.items())
    prefix = CACHE / key
    if not (prefix / "node_modules" / ".bin").is_dir():
        CACHE.mkdir(exist_ok=True)
        try:
            _install(prefix)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            if os.environ.get("CI"):
                pytest.fail(f"the agent clients could not be installed: {error}")
            pytest.skip(f"the agent clients could not be installed: {error}")
    return NpmClients(bin=prefix / "node_modules" / ".bin")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Rows written at once, so a test can read what the gateway answered each request.
    return settings.model_copy(update={"request_log_flush_interval": 0.02})


@dataclass
class AgentGateway:
    server: LiveServer
    upstream: FakeUpstream
    provider_ids: dict[str, int]

    @property
    def v1(self) -> str:
        return self.server.base_url + "/v1"

    def route_everything_to(self, protocol: str) -> None:
        """One catch-all rule: the client's main model and any side model it asks for alike."""
        with self.server.admin() as admin:
            response = admin.post(
                "/api/settings/rules",
                json={
                    "pattern": "*",
                    "pattern_type": "glob",
                    "targets": [{"provider": self.provider_ids[protocol]}],
                },
            )
            assert response.status_code == 201, response.text

    def answers(self) -> set[tuple[str, int]]:
        """The endpoint and status of every request the gateway logged, the client's side
        requests included."""
        time.sleep(0.2)  # the last row's flush
        with self.server.admin() as admin:
            response = admin.get("/api/logs", params={"limit": 1000})
            assert response.status_code == 200, response.text
            return {(r["endpoint"], r["status"]) for r in response.json()["items"]}


@pytest.fixture
def agent_gateway(live_server: LiveServer, upstream: FakeUpstream) -> AgentGateway:
    serve_scripted_agent(upstream)
    ids = {}
    with live_server.admin() as admin:
        for protocol, name in PROVIDERS.items():
            response = admin.post(
                "/api/settings/providers",
                json={
                    "name": name,
                    "backend_type": f"{protocol}_compatible",
                    "base_url": upstream.base_url + "/v1",
                    "api_key": f"sk-upstream-{protocol}-key",
                },
            )
            assert response.status_code == 201, response.text
            ids[protocol] = response.json()["id"]
    return AgentGateway(server=live_server, upstream=upstream, provider_ids=ids)


def run_client(
    argv: list[str], *, env: dict[str, str], cwd: Path, timeout: float = RUN_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a client to the end; on a non-zero exit or a hang, fail with what it printed."""
    try:
        done = subprocess.run(
            argv,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as hung:
        pytest.fail(
            f"{argv[0]} still ran after {timeout} s\nstdout:\n{_tail(hung.stdout)}\n"
            f"stderr:\n{_tail(hung.stderr)}"
        )
    assert done.returncode == 0, (
        f"{argv[0]} exited {done.returncode}\nstdout:\n{_tail(done.stdout)}\n"
        f"stderr:\n{_tail(done.stderr)}"
    )
    return done


def _tail(output: str | bytes | None) -> str:
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    return (output or "")[-6000:]


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """A clean environment: a home of its own, no proxies, no keys from the machine."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "TMPDIR": str(home / "tmp"),
        "NO_COLOR": "1",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
    }
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    env.update(extra)
    return env
