"""``mlx-manager service``: the rendered files read back as launchd and systemd read them, and the
commands change only a temporary HOME and a recording runner. Both platforms run here."""

from __future__ import annotations

import json
import os
import plistlib
import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from mlx_manager.cli.service import (
    CommandResult,
    ServiceHost,
    ServiceSpec,
    read_plist,
    read_unit,
    render_plist,
    render_unit,
    run_command,
    service_app,
)

PROGRAM = (sys.executable, "-m", "mlx_manager")
# Everything the two formats treat specially: spaces, quotes, backslashes, specifiers, variables.
AWKWARD = "a \"quoted\" word, 100% \\ $HOME ${USER} %h 'single' ;"


def awkward_spec(root: Path) -> ServiceSpec:
    return ServiceSpec(
        program=PROGRAM,
        host="0.0.0.0",
        port=9001,
        data_dir=root / "My Data 100% $HOME",
        environment=(("PLAIN", "1"), ("AWKWARD", AWKWARD), ("EMPTY", "")),
    )


# systemd's reading of a unit, written here apart from the module's own so a quoting mistake
# cannot hide behind the same mistake in reading: sections, repeated keys, quoted words with
# backslash escapes, ``%%`` for a literal ``%`` (any other ``%x`` is a specifier), ``$$`` on
# command lines.


def systemd_sections(text: str) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.split("\n"):
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals, line
        current.append((key, value))
    return sections


def systemd_words(value: str) -> list[str]:
    words: list[str] = []
    word: str | None = None
    quoted = False
    chars = iter(value)
    for char in chars:
        if char == "\\":
            word = (word or "") + next(chars)
        elif char == '"':
            quoted = not quoted
            word = word or ""
        elif char.isspace() and not quoted:
            if word is not None:
                words.append(word)
            word = None
        else:
            word = (word or "") + char
    assert not quoted, f"unbalanced quotes in {value!r}"
    return [*words, *([word] if word is not None else [])]


def systemd_literal(word: str, *, command_line: bool) -> str:
    specials = "%$" if command_line else "%"
    assert re.fullmatch(rf"([^{specials}]|%%|\$\$)*", word), f"unescaped specifier in {word!r}"
    literal = word.replace("%%", "%")
    return literal.replace("$$", "$") if command_line else literal


def unit_service(text: str) -> tuple[list[str], dict[str, str], str]:
    """ExecStart's arguments, the environment and the working directory, as systemd sees them."""
    service = systemd_sections(text)["Service"]
    (command,) = [value for key, value in service if key == "ExecStart"]
    (directory,) = [value for key, value in service if key == "WorkingDirectory"]
    environment = {}
    for key, value in service:
        if key == "Environment":
            for word in systemd_words(value):
                name, _, setting = systemd_literal(word, command_line=False).partition("=")
                environment[name] = setting
    arguments = [systemd_literal(word, command_line=True) for word in systemd_words(command)]
    return arguments, environment, systemd_literal(directory, command_line=False)


def test_the_unit_has_what_systemd_needs(tmp_path: Path) -> None:
    spec = awkward_spec(tmp_path)
    text = render_unit(spec)
    sections = systemd_sections(text)
    assert set(sections) == {"Unit", "Service", "Install"}
    assert ("After", "network-online.target") in sections["Unit"]
    assert ("Restart", "on-failure") in sections["Service"]
    assert sections["Install"] == [("WantedBy", "default.target")]
    arguments, environment, directory = unit_service(text)
    assert arguments == list(spec.arguments)
    assert Path(arguments[0]).is_absolute()
    assert environment == dict(spec.environment)
    assert directory == str(spec.data_dir)
    assert read_unit(text) == spec


@given(
    value=st.text(st.characters(min_codepoint=32, exclude_characters="\x7f")),
    directory=st.text(
        st.characters(min_codepoint=32, exclude_characters="\x7f/"), min_size=1
    ).filter(lambda name: name.strip() == name and name not in {".", ".."}),
)
def test_any_value_and_path_reads_back_as_written(value: str, directory: str) -> None:
    spec = ServiceSpec(PROGRAM, "127.0.0.1", 1, Path("/srv") / directory, (("VALUE", value),))
    arguments, environment, working = unit_service(render_unit(spec))
    assert (arguments, environment, working) == (
        list(spec.arguments),
        {"VALUE": value},
        str(spec.data_dir),
    )
    assert read_unit(render_unit(spec)) == spec
    assert read_plist(render_plist(spec)) == spec


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # An interpreter whose path has a space, as a virtual environment in "My Projects" has.
    python = tmp_path / "my venv" / "python"
    python.parent.mkdir()
    python.symlink_to(sys.executable)
    spec = replace(awkward_spec(tmp_path), program=(str(python), "-m", "mlx_manager"))
    spec.data_dir.mkdir()
    unit = tmp_path / "mlx-manager.service"
    unit.write_text(render_unit(spec))
    environ = {**os.environ, "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    verified = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert (verified.returncode, verified.stderr) == (0, "")
    # The same check fails on a unit with a bad line, so the pass above means something.
    unit.write_text(render_unit(spec).replace("ExecStart=", 'ExecStart="', 1))
    broken = subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert broken.returncode != 0 and "Unbalanced quoting" in broken.stderr


def test_the_plist_has_what_launchd_needs(tmp_path: Path) -> None:
    spec = awkward_spec(tmp_path)
    agent = plistlib.loads(render_plist(spec))
    assert agent["Label"] == "com.mlx-manager.server"
    assert agent["ProgramArguments"] == list(spec.arguments)
    assert agent["EnvironmentVariables"] == dict(spec.environment)
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["WorkingDirectory"] == str(spec.data_dir)
    for key in ("StandardOutPath", "StandardErrorPath"):
        assert Path(agent[key]).parent == spec.data_dir / "logs"
    assert all(isinstance(word, str) for word in agent["ProgramArguments"])
    assert read_plist(render_plist(spec)) == spec


@pytest.mark.skipif(shutil.which("plutil") is None, reason="plutil is macOS's")
def test_plutil_lints_the_plist(tmp_path: Path) -> None:
    path = tmp_path / "agent.plist"
    path.write_bytes(render_plist(awkward_spec(tmp_path)))
    linted = subprocess.run(["plutil", "-lint", str(path)], capture_output=True, check=False)
    assert linted.returncode == 0


@dataclass
class FakeRunner:
    """Records commands; answers each from ``answers`` by its leading words, else succeeds with
    what systemctl and launchctl print for an enabled, running service."""

    answers: dict[tuple[str, ...], CommandResult] = field(default_factory=dict)
    calls: list[list[str]] = field(default_factory=list)

    def __call__(self, argv: Sequence[str]) -> CommandResult:
        self.calls.append(list(argv))
        for prefix, answer in self.answers.items():
            if tuple(argv[: len(prefix)]) == prefix:
                return answer
        if "is-enabled" in argv:
            return CommandResult(0, "enabled\n")
        if "is-active" in argv:
            return CommandResult(0, "active\n")
        if argv[:2] == ["launchctl", "print"]:
            return CommandResult(0, "gui/501/com.mlx-manager.server = {\n\tstate = running\n}\n")
        return CommandResult(0)


@dataclass
class Machine:
    host: ServiceHost
    runner: FakeRunner
    home: Path

    @property
    def service_file(self) -> Path:
        if self.host.platform == "darwin":
            return self.home / "Library" / "LaunchAgents" / "com.mlx-manager.server.plist"
        return (
            Path(self.host.environ["XDG_CONFIG_HOME"]) / "systemd" / "user" / "mlx-manager.service"
        )

    def invoke(self, *args: str) -> Result:
        return CliRunner().invoke(service_app, list(args), obj=self.host)

    def spec(self) -> ServiceSpec:
        data = self.service_file.read_bytes()
        return read_plist(data) if self.host.platform == "darwin" else read_unit(data.decode())


@pytest.fixture(params=["darwin", "linux"])
def machine(request: pytest.FixtureRequest, tmp_path: Path) -> Machine:
    home = tmp_path / "home dir"
    environ = {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "config dir")}
    runner = FakeRunner()
    return Machine(ServiceHost(request.param, environ, 501, runner, PROGRAM), runner, home)


def load_commands(machine: Machine) -> list[list[str]]:
    if machine.host.platform == "darwin":
        return [["launchctl", "bootstrap", "gui/501", str(machine.service_file)]]
    return [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", "--now", "mlx-manager.service"],
    ]


def unload_commands(machine: Machine) -> list[list[str]]:
    if machine.host.platform == "darwin":
        return [["launchctl", "bootout", "gui/501/com.mlx-manager.server"]]
    return [["systemctl", "--user", "disable", "--now", "mlx-manager.service"]]


def test_install_writes_the_file_and_starts_the_service(machine: Machine) -> None:
    result = machine.invoke("install", "--port", "9100")
    assert result.exit_code == 0, result.output
    spec = machine.spec()
    assert (spec.host, spec.port, spec.data_dir) == (
        "127.0.0.1",
        9100,
        machine.home / ".mlx-manager",
    )
    assert spec.program == PROGRAM
    assert stat.S_IMODE(machine.service_file.stat().st_mode) == 0o644
    assert (spec.data_dir / "logs").is_dir()
    assert machine.runner.calls == load_commands(machine)
    assert "http://127.0.0.1:9100" in result.stdout
    logs = (
        "journalctl --user -u mlx-manager.service"
        if machine.host.platform == "linux"
        else "tail -f"
    )
    assert logs in result.stdout


def test_explicit_environment_is_kept_off_the_command_line(machine: Machine) -> None:
    data_dir = machine.home / "data with spaces"
    result = machine.invoke(
        "install",
        "--data-dir",
        str(data_dir),
        "--host",
        "0.0.0.0",
        "--env",
        "MLX_MANAGER_ADMIN_TOKEN=s3cret token",
        "--env",
        f"AWKWARD={AWKWARD}",
    )
    assert result.exit_code == 0, result.output
    spec = machine.spec()
    assert dict(spec.environment)["MLX_MANAGER_ADMIN_TOKEN"] == "s3cret token"
    assert dict(spec.environment)["AWKWARD"] == AWKWARD
    assert (spec.data_dir, spec.host) == (data_dir, "0.0.0.0")
    assert not any("s3cret" in word for word in spec.arguments)
    assert "s3cret" not in result.output
    assert stat.S_IMODE(machine.service_file.stat().st_mode) == 0o600


def test_the_installing_shells_model_cache_is_passed_on_and_explicit_values_win(
    machine: Machine,
) -> None:
    host = ServiceHost(
        machine.host.platform,
        {**machine.host.environ, "HF_HOME": "/models/hf", "HF_TOKEN": "hf_secret"},
        501,
        machine.runner,
        PROGRAM,
    )
    result = CliRunner().invoke(service_app, ["install", "--env", "PYTHONUNBUFFERED=0"], obj=host)
    assert result.exit_code == 0, result.output
    # HF_TOKEN is a secret of the shell, not something the user asked the service to hold.
    assert dict(machine.spec().environment) == {"HF_HOME": "/models/hf", "PYTHONUNBUFFERED": "0"}


def test_an_installed_service_is_replaced_only_with_force(machine: Machine) -> None:
    assert machine.invoke("install", "--port", "9100").exit_code == 0
    machine.runner.calls.clear()
    refused = machine.invoke("install", "--port", "9200")
    assert refused.exit_code == 1
    assert "--force" in refused.stderr
    assert machine.spec().port == 9100
    assert machine.runner.calls == []
    replaced = machine.invoke("install", "--port", "9200", "--force")
    assert replaced.exit_code == 0, replaced.output
    assert machine.spec().port == 9200
    # The old service is unloaded so the new file is the one that runs.
    assert machine.runner.calls == unload_commands(machine) + load_commands(machine)


def test_no_start_only_writes_the_file(machine: Machine) -> None:
    result = machine.invoke("install", "--no-start")
    assert result.exit_code == 0, result.output
    assert machine.service_file.exists()
    assert machine.runner.calls == []
    assert load_commands(machine)[-1][-1] in result.stdout


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (CommandResult(127, stderr="not found"), "is not available here"),
        (
            CommandResult(1, stderr="Failed to connect to bus: No medium found\n"),
            "Failed to connect",
        ),
    ],
)
def test_a_missing_or_failing_manager_leaves_the_file_and_says_what_to_run(
    machine: Machine, answer: CommandResult, reason: str
) -> None:
    manager = "launchctl" if machine.host.platform == "darwin" else "systemctl"
    machine.runner.answers[(manager,)] = answer
    result = machine.invoke("install")
    assert result.exit_code == 0
    assert machine.service_file.exists()
    (line,) = result.stderr.splitlines()
    assert reason in line
    assert line.endswith(" && ".join(shlex.join(argv) for argv in load_commands(machine)))


def test_a_file_that_cannot_be_written_is_an_error(machine: Machine) -> None:
    # A plain file where the service file's directory should be.
    blocker = machine.service_file.parents[1]
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("")
    result = machine.invoke("install")
    assert result.exit_code == 1
    assert f"Could not write {machine.service_file}" in result.stderr
    assert machine.runner.calls == []


@pytest.mark.parametrize("assignment", ["NOEQUALS", "1BAD=x", "=x", "LINE=one\ntwo"])
def test_bad_environment_assignments_are_refused(machine: Machine, assignment: str) -> None:
    result = machine.invoke("install", "--env", assignment)
    assert result.exit_code == 2
    assert "--env" in result.stderr
    assert not machine.service_file.exists()


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_ports_outside_the_range_are_refused(machine: Machine, port: str) -> None:
    result = machine.invoke("install", "--port", port)
    assert result.exit_code == 2
    assert "--port" in result.stderr
    assert not machine.service_file.exists()


def test_uninstall_stops_and_removes_and_is_idempotent(machine: Machine) -> None:
    assert machine.invoke("install").exit_code == 0
    machine.runner.calls.clear()
    removed = machine.invoke("uninstall")
    assert removed.exit_code == 0, removed.output
    assert not machine.service_file.exists()
    assert f"the data in {machine.home / '.mlx-manager'} is kept" in removed.stdout
    assert unload_commands(machine)[0] in machine.runner.calls
    if machine.host.platform == "linux":
        assert machine.runner.calls[-1] == ["systemctl", "--user", "daemon-reload"]
    machine.runner.calls.clear()
    again = machine.invoke("uninstall")
    assert again.exit_code == 0
    assert "No service installed" in again.stdout
    assert machine.runner.calls == []


def test_uninstall_does_not_stop_what_is_not_loaded(machine: Machine) -> None:
    assert machine.invoke("install", "--no-start").exit_code == 0
    machine.runner.answers |= {
        ("systemctl", "--user", "is-enabled"): CommandResult(1, "disabled\n"),
        ("systemctl", "--user", "is-active"): CommandResult(3, "inactive\n"),
        ("launchctl", "print"): CommandResult(113, stderr="Could not find service"),
    }
    result = machine.invoke("uninstall")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert unload_commands(machine)[0] not in machine.runner.calls
    assert not machine.service_file.exists()


def test_status_reports_file_state_port_and_data_dir(machine: Machine) -> None:
    absent = json.loads(machine.invoke("status", "--json").stdout)
    assert absent["installed"] is False
    assert absent["file"] == str(machine.service_file)
    assert "port" not in absent
    data_dir = machine.home / "data dir"
    assert machine.invoke("install", "--port", "9300", "--data-dir", str(data_dir)).exit_code == 0
    report = json.loads(machine.invoke("status", "--json").stdout)
    assert report == {
        "manager": "launchd" if machine.host.platform == "darwin" else "systemd",
        "file": str(machine.service_file),
        "installed": True,
        "enabled": True,
        "running": True,
        "host": "127.0.0.1",
        "port": 9300,
        "url": "http://127.0.0.1:9300",
        "data_dir": str(data_dir),
        "environment": ["PYTHONUNBUFFERED"],
    }
    text = machine.invoke("status").stdout
    assert "running: yes" in text
    assert f"serves http://127.0.0.1:9300, data in {data_dir}" in text


def test_status_says_when_the_manager_cannot_be_asked(machine: Machine) -> None:
    manager = "launchctl" if machine.host.platform == "darwin" else "systemctl"
    machine.runner.answers[(manager,)] = CommandResult(127, stderr=f"{manager}: command not found")
    report = json.loads(machine.invoke("status", "--json").stdout)
    assert (report["enabled"], report["running"]) == (None, None)
    assert report["manager_error"] == f"{manager}: command not found"
    assert "running: unknown" in machine.invoke("status").stdout


def test_status_reports_a_stopped_service(machine: Machine) -> None:
    assert machine.invoke("install", "--no-start").exit_code == 0
    machine.runner.answers |= {
        ("systemctl", "--user", "is-active"): CommandResult(3, "failed\n"),
        ("launchctl", "print"): CommandResult(0, "gui/501/com.mlx-manager.server = {\n}\n"),
    }
    report = json.loads(machine.invoke("status", "--json").stdout)
    assert (report["enabled"], report["running"]) == (True, False)


def test_status_of_an_unreadable_file_says_so(machine: Machine) -> None:
    machine.service_file.parent.mkdir(parents=True)
    machine.service_file.write_bytes(b"[Service]\nType=exec\n")
    result = machine.invoke("status", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["installed"] is True
    assert report["error"].startswith(f"cannot read {machine.service_file}")
    assert "port" not in report


def test_other_platforms_are_refused(tmp_path: Path) -> None:
    host = ServiceHost("win32", {"HOME": str(tmp_path)}, 0, FakeRunner(), PROGRAM)
    result = CliRunner().invoke(service_app, ["install"], obj=host)
    assert result.exit_code == 1
    assert "launchd (macOS) or systemd (Linux)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_current_host_follows_home_and_xdg_config_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    host = ServiceHost.current()
    assert (host.home, host.config_home) == (tmp_path / "home", tmp_path / "config")
    assert host.platform == sys.platform
    assert Path(host.program[0]).is_absolute() and host.program[1:] == ("-m", "mlx_manager")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert ServiceHost.current().config_home == tmp_path / "home" / ".config"


def test_run_command_runs_and_reports_a_missing_executable() -> None:
    ran = run_command(["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "out\n", "err\n")
    missing = run_command(["mlx-manager-no-such-command"])
    assert missing.returncode == 127
    assert "mlx-manager-no-such-command" in missing.stderr


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(service_app, ["--help"])
    assert result.exit_code == 0
    for command in ("install", "uninstall", "status"):
        assert command in result.stdout
