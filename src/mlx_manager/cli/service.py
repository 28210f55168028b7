"""``mlx-manager service install | uninstall | status``: run ``mlx-manager serve`` under the user's
service manager, a launchd agent on macOS or a systemd user unit on Linux.

Rendering is pure (``render_plist`` and ``render_unit`` turn a ``ServiceSpec`` into the file's
bytes, ``read_plist`` and ``read_unit`` read one back); every side effect on the system goes
through a ``ServiceHost``: its environment (HOME, XDG_CONFIG_HOME), its platform and a ``Runner``
for ``launchctl`` and ``systemctl``, so tests pass their own. Secrets never reach the command
line: the unit's command line has only host, port and data dir; ``--env`` values are written as
given into a file only its owner can read."""

from __future__ import annotations

import json
import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Protocol

import typer

from mlx_manager.settings import DEFAULT_PORT

LABEL = "com.mlx-manager.server"
UNIT = "mlx-manager.service"
# Passed on from the installing shell so the service finds the models the user sees.
INHERITED = ("HF_HOME", "HF_HUB_CACHE")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Words written bare on a systemd command line; anything else is quoted.
_BARE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """The service: ``program serve --host … --port … --data-dir …`` in ``environment``."""

    program: tuple[str, ...]
    host: str
    port: int
    data_dir: Path
    environment: tuple[tuple[str, str], ...] = ()

    @property
    def arguments(self) -> tuple[str, ...]:
        return (
            *self.program,
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        )

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


class ServiceFileError(ValueError):
    """An installed service file this command cannot read back."""


def _spec_from_arguments(
    arguments: Sequence[str], environment: tuple[tuple[str, str], ...]
) -> ServiceSpec:
    words = list(arguments)
    if "serve" not in words:
        raise ServiceFileError("its command does not run `serve`")
    at = words.index("serve")
    options = dict(zip(words[at + 1 :: 2], words[at + 2 :: 2], strict=False))
    try:
        return ServiceSpec(
            program=tuple(words[:at]),
            host=options["--host"],
            port=int(options["--port"]),
            data_dir=Path(options["--data-dir"]),
            environment=environment,
        )
    except (KeyError, ValueError) as exc:
        raise ServiceFileError(f"its command lacks a valid {exc}") from exc


def render_plist(spec: ServiceSpec, *, label: str = LABEL) -> bytes:
    """The launchd agent: started at log-in, restarted when it exits with an error."""
    agent = {
        "Label": label,
        "ProgramArguments": list(spec.arguments),
        "EnvironmentVariables": dict(spec.environment),
        "RunAtLoad": True,
        # As systemd's Restart=on-failure: a clean stop (SIGTERM, exit 0) stays stopped.
        "KeepAlive": {"SuccessfulExit": False},
        "WorkingDirectory": str(spec.data_dir),
        "StandardOutPath": str(spec.log_dir / "server.out.log"),
        "StandardErrorPath": str(spec.log_dir / "server.err.log"),
    }
    return plistlib.dumps(agent, sort_keys=False)


def read_plist(data: bytes) -> ServiceSpec:
    try:
        agent = plistlib.loads(data)
    except plistlib.InvalidFileException as exc:
        raise ServiceFileError(f"not a property list ({exc})") from exc
    arguments = agent.get("ProgramArguments") if isinstance(agent, dict) else None
    environment = agent.get("EnvironmentVariables", {}) if isinstance(agent, dict) else {}
    if not isinstance(arguments, list) or not isinstance(environment, dict):
        raise ServiceFileError("no ProgramArguments list")
    return _spec_from_arguments(
        [str(word) for word in arguments], tuple((str(k), str(v)) for k, v in environment.items())
    )


def _systemd_quote(word: str, *, command_line: bool) -> str:
    """One word as systemd reads it back: ``%`` starts a specifier everywhere, ``$`` a variable
    on command lines only (in ``Environment=`` it has no special meaning)."""
    escaped = word.replace("%", "%%")
    if command_line:
        escaped = escaped.replace("$", "$$")
        if _BARE.fullmatch(word):
            return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_unit(spec: ServiceSpec) -> str:
    """The systemd user unit, started with the user's session (``default.target``)."""
    command = " ".join(_systemd_quote(word, command_line=True) for word in spec.arguments)
    environment = "".join(
        f"Environment={_systemd_quote(f'{key}={value}', command_line=False)}\n"
        for key, value in spec.environment
    )
    return (
        "[Unit]\n"
        "Description=MLX Manager LLM gateway\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=exec\n"
        f"ExecStart={command}\n"
        # A path setting takes the rest of the line as it is; only specifiers need escaping.
        f"WorkingDirectory={str(spec.data_dir).replace('%', '%%')}\n"
        f"{environment}"
        "Restart=on-failure\n"
        "RestartSec=5\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def _systemd_words(value: str, *, command_line: bool) -> list[str]:
    unescaped = value.replace("%%", "%")
    words = shlex.split(unescaped, posix=True)
    return [word.replace("$$", "$") for word in words] if command_line else words


def read_unit(text: str) -> ServiceSpec:
    """The spec of a unit ``render_unit`` wrote (keys may repeat, so no configparser)."""
    section, command, environment = "", None, []
    for raw in text.split("\n"):  # systemd ends lines at \n only
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            try:
                if key == "ExecStart":
                    command = _systemd_words(value, command_line=True)
                elif key == "Environment":
                    for word in _systemd_words(value, command_line=False):
                        name, _, setting = word.partition("=")
                        environment.append((name, setting))
            except ValueError as exc:
                raise ServiceFileError(f"{key}= is not quoted right ({exc})") from exc
    if command is None:
        raise ServiceFileError("no ExecStart= in [Service]")
    return _spec_from_arguments(command, tuple(environment))


@dataclass(frozen=True, slots=True)
class CommandResult:
    returncode: int
    stdout: str = ""
    stderr: str = ""


Runner = Callable[[Sequence[str]], CommandResult]
NOT_FOUND = 127


def run_command(argv: Sequence[str]) -> CommandResult:
    """Run a service manager's command; a missing executable is exit status 127, as in a shell."""
    executable = shutil.which(argv[0])
    if executable is None:
        return CommandResult(NOT_FOUND, stderr=f"{argv[0]}: command not found")
    try:
        # The arguments are ours (a label, a unit name, a path), never a shell string.
        done = subprocess.run(  # noqa: S603
            [executable, *argv[1:]], capture_output=True, text=True, check=False, timeout=60
        )
    except subprocess.TimeoutExpired:
        return CommandResult(124, stderr=f"{argv[0]} did not answer within 60 seconds")
    return CommandResult(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True, slots=True)
class ServiceHost:
    """The machine the service is installed on, as this command sees and changes it."""

    platform: str
    environ: Mapping[str, str]
    uid: int
    runner: Runner
    program: tuple[str, ...]

    @classmethod
    def current(cls) -> ServiceHost:
        # Not resolved: a virtual environment's python is a link that must stay one.
        program = (str(Path(sys.executable).absolute()), "-m", "mlx_manager")
        return cls(sys.platform, os.environ, os.getuid(), run_command, program)

    @property
    def home(self) -> Path:
        return Path(self.environ.get("HOME") or Path.home())

    @property
    def config_home(self) -> Path:
        return Path(self.environ.get("XDG_CONFIG_HOME") or self.home / ".config")


@dataclass(frozen=True, slots=True)
class ServiceState:
    """``enabled``: systemd's is-enabled; for launchd, loaded in the user's domain (an agent in
    LaunchAgents is loaded again at every log-in). ``None``: the manager could not be asked
    (``detail`` says why)."""

    enabled: bool | None
    running: bool | None
    detail: str = ""


class ServiceManager(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def path(self) -> Path: ...

    def render(self, spec: ServiceSpec) -> bytes: ...
    def read(self, data: bytes) -> ServiceSpec: ...
    def load_commands(self) -> list[list[str]]: ...
    def unload_commands(self) -> list[list[str]]: ...
    def forget_commands(self) -> list[list[str]]: ...
    def state(self, runner: Runner) -> ServiceState: ...
    def logs_hint(self, spec: ServiceSpec) -> list[str]: ...


def _first_line(result: CommandResult) -> str:
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[0] if lines else f"exit status {result.returncode}"


@dataclass(frozen=True, slots=True)
class LaunchdAgent:
    home: Path
    uid: int
    kind: str = "launchd"

    @property
    def path(self) -> Path:
        return self.home / "Library" / "LaunchAgents" / f"{LABEL}.plist"

    def render(self, spec: ServiceSpec) -> bytes:
        return render_plist(spec)

    def read(self, data: bytes) -> ServiceSpec:
        return read_plist(data)

    def load_commands(self) -> list[list[str]]:
        return [["launchctl", "bootstrap", f"gui/{self.uid}", str(self.path)]]

    def unload_commands(self) -> list[list[str]]:
        return [["launchctl", "bootout", f"gui/{self.uid}/{LABEL}"]]

    def forget_commands(self) -> list[list[str]]:
        return []

    def state(self, runner: Runner) -> ServiceState:
        result = runner(["launchctl", "print", f"gui/{self.uid}/{LABEL}"])
        if result.returncode == NOT_FOUND:
            return ServiceState(None, None, _first_line(result))
        if result.returncode != 0:
            return ServiceState(False, False)
        running = re.search(r"^\s*state = running\s*$", result.stdout, re.MULTILINE) is not None
        return ServiceState(True, running)

    def logs_hint(self, spec: ServiceSpec) -> list[str]:
        logs = (spec.log_dir / "server.out.log", spec.log_dir / "server.err.log")
        return [f"Logs: tail -f {' '.join(shlex.quote(str(log)) for log in logs)}"]


@dataclass(frozen=True, slots=True)
class SystemdUnit:
    config_home: Path
    kind: str = "systemd"

    @property
    def path(self) -> Path:
        return self.config_home / "systemd" / "user" / UNIT

    def render(self, spec: ServiceSpec) -> bytes:
        return render_unit(spec).encode()

    def read(self, data: bytes) -> ServiceSpec:
        try:
            return read_unit(data.decode())
        except UnicodeDecodeError as exc:
            raise ServiceFileError("not UTF-8 text") from exc

    def load_commands(self) -> list[list[str]]:
        return [
            ["systemctl", "--user", "daemon-reload"],
            ["systemctl", "--user", "enable", "--now", UNIT],
        ]

    def unload_commands(self) -> list[list[str]]:
        return [["systemctl", "--user", "disable", "--now", UNIT]]

    def forget_commands(self) -> list[list[str]]:
        return [["systemctl", "--user", "daemon-reload"]]

    def state(self, runner: Runner) -> ServiceState:
        enabled = runner(["systemctl", "--user", "is-enabled", UNIT])
        active = runner(["systemctl", "--user", "is-active", UNIT])
        # Both print a word on stdout whatever their exit status; none means it could not ask.
        if not enabled.stdout.strip() or not active.stdout.strip():
            return ServiceState(
                None, None, _first_line(active if enabled.stdout.strip() else enabled)
            )
        return ServiceState(enabled.stdout.strip() == "enabled", active.stdout.strip() == "active")

    def logs_hint(self, spec: ServiceSpec) -> list[str]:
        return [
            f"Logs: journalctl --user -u {UNIT} -f",
            "To keep it running after you log out: loginctl enable-linger",
        ]


def service_manager(host: ServiceHost) -> ServiceManager | None:
    """The host's service manager; None on a platform without launchd or systemd."""
    if host.platform == "darwin":
        return LaunchdAgent(host.home, host.uid)
    if host.platform.startswith("linux"):
        return SystemdUnit(host.config_home)
    return None


def parse_environment(assignments: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` options, checked so that both file formats can hold them."""
    parsed = []
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        if not equals or not _KEY.fullmatch(key):
            raise typer.BadParameter(f"{assignment!r} is not KEY=VALUE", param_hint="--env")
        if any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise typer.BadParameter(f"{key}'s value holds a control character", param_hint="--env")
        parsed.append((key, value))
    return tuple(parsed)


def _hand_commands(commands: Sequence[Sequence[str]]) -> str:
    return " && ".join(shlex.join(argv) for argv in commands)


def _run_all(host: ServiceHost, commands: list[list[str]], *, doing: str) -> bool:
    """Run the commands in turn; on the first failure, one line saying what to run by hand."""
    for argv in commands:
        result = host.runner(argv)
        if result.returncode == 0:
            continue
        if result.returncode == NOT_FOUND:
            reason = f"{argv[0]} is not available here"
        else:
            reason = f"`{shlex.join(argv)}` failed: {_first_line(result)}"
        typer.echo(
            f"Could not {doing} ({reason}); run by hand: {_hand_commands(commands)}", err=True
        )
        return False
    return True


def _write_private(path: Path, data: bytes, *, mode: int) -> None:
    """Write through a temporary file so a failed write leaves the old file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    # Created afresh, so a secret never lands in a file an earlier run left readable.
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.chmod(partial, mode)  # whatever the umask took away
    os.replace(partial, path)


def _host_and_manager(ctx: typer.Context) -> tuple[ServiceHost, ServiceManager]:
    host = ctx.find_object(ServiceHost) or ServiceHost.current()
    manager = service_manager(host)
    if manager is None:
        typer.echo(
            "mlx-manager: services are installed with launchd (macOS) or systemd (Linux),"
            f" not on {host.platform}",
            err=True,
        )
        raise typer.Exit(1)
    return host, manager


service_app = typer.Typer(
    help="Run the gateway as a background service (launchd on macOS, systemd on Linux).",
    no_args_is_help=True,
)


@service_app.command()
def install(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="port to serve on", min=1, max=65535)] = DEFAULT_PORT,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    data_dir: Annotated[
        Path | None, typer.Option(help="data directory (default ~/.mlx-manager)")
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            metavar="KEY=VALUE",
            help="an environment variable for the service (repeatable); stored in the service"
            " file, readable only by you",
        ),
    ] = None,
    no_start: Annotated[bool, typer.Option("--no-start", help="only write the file")] = False,
    force: Annotated[bool, typer.Option("--force", help="replace an installed service")] = False,
) -> None:
    """Write the service file and start the service."""
    machine, manager = _host_and_manager(ctx)
    explicit = parse_environment(env or [])
    inherited = tuple((key, machine.environ[key]) for key in INHERITED if key in machine.environ)
    # The explicit values win; PYTHONUNBUFFERED puts log lines in the logs as they happen.
    environment = dict((("PYTHONUNBUFFERED", "1"), *inherited, *explicit))
    directory = (data_dir.expanduser() if data_dir else machine.home / ".mlx-manager").absolute()
    spec = ServiceSpec(machine.program, host, port, directory, tuple(environment.items()))
    replacing = manager.path.exists()
    if replacing and not force:
        typer.echo(
            f"A service is already installed at {manager.path}; --force replaces it.", err=True
        )
        raise typer.Exit(1)
    try:
        # launchd and systemd start the service in the data dir, and launchd logs into it.
        spec.log_dir.mkdir(parents=True, exist_ok=True)
        _write_private(manager.path, manager.render(spec), mode=0o600 if explicit else 0o644)
    except OSError as exc:
        typer.echo(f"Could not write {manager.path}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Wrote {manager.path}")
    if no_start:
        typer.echo(
            f"Not started (--no-start); to start it: {_hand_commands(manager.load_commands())}"
        )
        return
    if replacing:
        # The old service may not be loaded; either way the new file is loaded next.
        for argv in manager.unload_commands():
            machine.runner(argv)
    if not _run_all(machine, manager.load_commands(), doing="start the service"):
        return
    from mlx_manager.api.auth import TOKEN_FILE

    typer.echo(f"Started: http://{host}:{port}, data in {directory}")
    typer.echo(f"Admin token: {directory / TOKEN_FILE} (created on the first start)")
    for line in manager.logs_hint(spec):
        typer.echo(line)
    typer.echo("Whether it runs: mlx-manager service status")


@service_app.command()
def uninstall(ctx: typer.Context) -> None:
    """Stop the service and remove its file."""
    machine, manager = _host_and_manager(ctx)
    if not manager.path.exists():
        typer.echo(f"No service installed ({manager.path} does not exist); nothing to do.")
        return
    try:
        kept = f" (the data in {manager.read(manager.path.read_bytes()).data_dir} is kept)"
    except (OSError, ServiceFileError):
        kept = ""
    state = manager.state(machine.runner)
    if state.enabled is not False or state.running is not False:
        _run_all(machine, manager.unload_commands(), doing="stop the service")
    try:
        manager.path.unlink()
    except FileNotFoundError:
        pass  # removed meanwhile: the outcome asked for
    except OSError as exc:
        typer.echo(f"Could not remove {manager.path}: {exc}", err=True)
        raise typer.Exit(1) from exc
    for argv in manager.forget_commands():
        machine.runner(argv)
    typer.echo(f"Removed {manager.path}{kept}")


@service_app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Whether the service is installed and running, and what it serves."""
    machine, manager = _host_and_manager(ctx)
    report: dict[str, object] = {
        "manager": manager.kind,
        "file": str(manager.path),
        "installed": manager.path.exists(),
    }
    spec = None
    if report["installed"]:
        try:
            spec = manager.read(manager.path.read_bytes())
        except (OSError, ServiceFileError) as exc:
            report["error"] = f"cannot read {manager.path}: {exc}"
    state = manager.state(machine.runner)
    report |= {"enabled": state.enabled, "running": state.running}
    if state.detail:
        report["manager_error"] = state.detail
    if spec is not None:
        report |= {
            "host": spec.host,
            "port": spec.port,
            "url": f"http://{spec.host}:{spec.port}",
            "data_dir": str(spec.data_dir),
            # Names only: the values may be secrets.
            "environment": sorted(key for key, _ in spec.environment),
        }
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(_describe(report))


def _describe(report: Mapping[str, object]) -> str:
    def yes_no(value: object) -> str:
        return "unknown" if value is None else "yes" if value else "no"

    installed = "installed" if report["installed"] else "not installed"
    lines = [f"{report['manager']} service: {installed} ({report['file']})"]
    if "error" in report:
        lines.append(str(report["error"]))
    lines.append(f"enabled: {yes_no(report['enabled'])}, running: {yes_no(report['running'])}")
    if "manager_error" in report:
        lines.append(f"({report['manager_error']})")
    if "url" in report:
        lines.append(f"serves {report['url']}, data in {report['data_dir']}")
    return "\n".join(lines)
