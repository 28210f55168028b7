"""The package as users install it: a wheel with the web UI inside, working where Node is absent.

The slow tests build with ``uv build`` (an sdist, then the wheel from it, as a release would),
install the wheel into a fresh venv from uv's cache with the lock's versions, and run it with no
``node`` or ``npm`` on PATH.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import mlx_manager
from mlx_manager.cli import main
from mlx_manager.web.static_files import STATIC_DIR
from tests.fakes.upstream import free_port

ROOT = Path(__file__).resolve().parents[1]
# `uv run` names its own executable in UV.
UV = [os.environ.get("UV") or shutil.which("uv") or "uv"]
STATIC_IN_WHEEL = "mlx_manager/web/static/"
ASSET = re.compile(r'"(/_app/immutable/[^"]+\.(?:js|css))"')


def test_version_option_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    installed = importlib.metadata.version("mlx-manager")
    assert capsys.readouterr().out.strip() == f"mlx-manager {installed}"
    assert mlx_manager.__version__ == installed


def _without_node(path: str) -> str:
    """PATH minus every folder that holds node or npm."""
    kept = [
        folder
        for folder in path.split(os.pathsep)
        if folder and not any((Path(folder) / tool).exists() for tool in ("node", "npm"))
    ]
    return os.pathsep.join(kept)


def _clean_environment() -> dict[str, str]:
    """This process's environment without the test venv's or the server settings it carries."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT"}
    return {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith("MLX_MANAGER_")
    }


def _run(args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _build_command(project: Path, out: Path, *, wheel_only: bool) -> list[str]:
    only = ["--wheel"] if wheel_only else []
    return [
        *UV,
        "build",
        *only,
        "--python",
        sys.executable,
        "--out-dir",
        str(out),
        str(project),
    ]


def _build(project: Path, out: Path, *, env: dict[str, str], wheel_only: bool = False) -> Path:
    result = _run(_build_command(project, out, wheel_only=wheel_only), env=env, cwd=out.parent)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    (wheel,) = out.glob("mlx_manager-*.whl")
    return wheel


def _static_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {
            name.removeprefix(STATIC_IN_WHEEL)
            for name in archive.namelist()
            if name.startswith(STATIC_IN_WHEEL)
        }


def _built_or_cached(folder: str, names: list[str]) -> list[str]:
    built = "static" if Path(folder).name == "web" else None
    return [name for name in names if name in ("__pycache__", built)]


def _copy_sources(destination: Path) -> Path:
    """What a build reads, without the built UI or any install: a fresh checkout's state."""
    project = destination / "project"
    project.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md", ".gitignore"):
        shutil.copy2(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "src",
        project / "src",
        ignore=_built_or_cached,
    )
    shutil.copytree(
        ROOT / "frontend",
        project / "frontend",
        ignore=shutil.ignore_patterns("node_modules", ".svelte-kit", "build", "test-results"),
    )
    assert not (project / "src/mlx_manager/web/static").exists()
    return project


@pytest.fixture
def needs_buildable_ui() -> None:
    if (STATIC_DIR / "index.html").is_file() or shutil.which("npm"):
        return
    message = "building the wheel needs the built UI (make web) or npm"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def server_process() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mlx-manager serve exited {process.returncode}: {log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"mlx-manager serve was not ready within 60 s: {log.read_text()[-4000:]}")


@pytest.mark.slow
@pytest.mark.usefixtures("needs_buildable_ui")
def test_the_wheel_serves_its_ui_from_a_venv_without_node(
    tmp_path: Path, server_process: list[subprocess.Popen[bytes]]
) -> None:
    environment = _clean_environment()
    wheel = _build(ROOT, tmp_path / "dist", env=environment)
    assert {"index.html", "favicon.svg"} <= _static_files(wheel)
    (sdist,) = (tmp_path / "dist").glob("mlx_manager-*.tar.gz")

    no_node = {**environment, "PATH": _without_node(environment.get("PATH", ""))}
    assert shutil.which("node", path=no_node["PATH"]) is None
    assert shutil.which("npm", path=no_node["PATH"]) is None
    venv = tmp_path / "venv"
    constraints = tmp_path / "constraints.txt"
    python = str(venv / "bin" / "python")
    steps = [
        [*UV, "venv", "--quiet", "--python", sys.executable, str(venv)],
        # The lock's versions, so the install reuses what `make install` put in uv's cache.
        [*UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet",
         "--project", str(ROOT), "--output-file", str(constraints)],
        [*UV, "pip", "install", "--quiet", "--python", python,
         "--constraints", str(constraints), str(wheel)],
    ]  # fmt: skip
    for step in steps:
        result = _run(step, env=no_node, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-4000:]

    run_env = {**no_node, "PATH": os.pathsep.join([str(venv / "bin"), no_node["PATH"]])}
    run_env["HOME"] = str(tmp_path / "home")
    command = venv / "bin" / "mlx-manager"
    version = _run([str(command), "--version"], env=run_env, cwd=tmp_path)
    assert version.stdout.strip() == f"mlx-manager {importlib.metadata.version('mlx-manager')}"
    located = _run(
        [python, "-c", "from mlx_manager.web import static_files as s; print(s.STATIC_DIR)"],
        env=run_env,
        cwd=tmp_path,
    )
    installed_static = Path(located.stdout.strip())
    assert installed_static.is_relative_to(venv), located.stdout + located.stderr

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server_process.append(
            subprocess.Popen(
                [str(command), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
                env=run_env,
                cwd=tmp_path,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        )
    _wait_ready(server_process[0], base_url, log)

    index = httpx.get(f"{base_url}/", timeout=10)
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert index.content == (installed_static / "index.html").read_bytes()
    match = ASSET.search(index.text)
    assert match is not None, index.text[:2000]
    asset = httpx.get(f"{base_url}{match.group(1)}", timeout=10)
    assert asset.status_code == 200
    assert asset.content == (installed_static / match.group(1).lstrip("/")).read_bytes()
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    # The sdist carries the built UI too, so a wheel built from it needs no Node.
    rebuilt = _build(sdist, tmp_path / "from-sdist", env=no_node, wheel_only=True)
    assert _static_files(rebuilt) == _static_files(wheel)


@pytest.mark.slow
def test_a_build_without_the_ui_or_node_says_what_to_install(tmp_path: Path) -> None:
    project = _copy_sources(tmp_path)
    environment = _clean_environment()
    no_node = {**environment, "PATH": _without_node(environment.get("PATH", ""))}
    args = _build_command(project, tmp_path / "dist", wheel_only=True)
    result = _run(args, env=no_node, cwd=project)
    assert result.returncode != 0
    assert "needs Node.js 20.19+" in result.stderr + result.stdout
    assert not list((tmp_path / "dist").glob("*.whl"))


@pytest.mark.slow
def test_a_build_from_a_fresh_checkout_builds_the_ui(tmp_path: Path) -> None:
    node_modules = ROOT / "frontend" / "node_modules"
    if shutil.which("npm") is None or not node_modules.is_dir():
        message = "building the UI needs npm and frontend/node_modules (cd frontend && npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    project = _copy_sources(tmp_path)
    installed = node_modules / ".package-lock.json"
    lock = ROOT / "frontend" / "package-lock.json"
    # The checkout's installed packages, so the hook skips `npm ci`, but only while they match
    # the lock: otherwise the hook's `npm ci` would empty the checkout's node_modules through the
    # link, so the copy gets an install of its own.
    if installed.is_file() and installed.stat().st_mtime >= lock.stat().st_mtime:
        (project / "frontend" / "node_modules").symlink_to(node_modules)
    wheel = _build(project, tmp_path / "dist", env=_clean_environment(), wheel_only=True)
    built = _static_files(wheel)
    assert {"index.html", "favicon.svg"} <= built
    assert any(name.startswith("_app/immutable/") for name in built)
