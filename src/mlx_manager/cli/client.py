"""The admin API's client: which server, with which token, and one plain line for each way a call
can fail (the server unreachable, the token refused, the server's own refusal).

The server is ``--url`` / ``MLX_MANAGER_URL``, else the address ``serve`` recorded in the data dir,
else ``http://127.0.0.1:<DEFAULT_PORT>``. The token is ``--token`` / ``MLX_MANAGER_ADMIN_TOKEN``,
else the one the server keeps in the data dir.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx
    import typer

# Written by ``serve`` at each start; read by the other commands to find the server.
URL_FILE = "server_url"
TOKEN_FILE = "admin_token"  # noqa: S105 (a file name; the same as the server's)


class CliError(Exception):
    """What went wrong, in one line for stderr; the command exits non-zero."""


def local_url(host: str, port: int) -> str:
    """The URL a client on this machine reaches a server bound to ``host`` at."""
    if host in ("0.0.0.0", ""):  # noqa: S104 (a bind address read, not bound)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}"


def record_server_url(data_dir: Path, url: str) -> Path:
    path = data_dir / URL_FILE
    path.write_text(url + "\n")
    return path


@dataclass(slots=True)
class Target:
    """Where the commands go, as the command line and environment gave it; resolved on use."""

    url: str | None
    token: str | None
    data_dir: Path
    _client: AdminClient | None = field(default=None, init=False)

    def resolved_url(self) -> str:
        if self.url:
            return self.url.rstrip("/")
        recorded = self.data_dir / URL_FILE
        if recorded.is_file():
            text = recorded.read_text().strip()
            if text:
                return text
        from mlx_manager.settings import DEFAULT_PORT

        return local_url("127.0.0.1", DEFAULT_PORT)

    def resolved_token(self) -> str:
        if self.token:
            return self.token
        path = self.data_dir / TOKEN_FILE
        try:
            return path.read_text().strip()
        except OSError:
            raise CliError(
                f"No admin token: {path} cannot be read (the server writes it at its first start)."
                " Pass --token or set MLX_MANAGER_ADMIN_TOKEN."
            ) from None

    def client(self) -> AdminClient:
        if self._client is None:
            self._client = AdminClient(self.resolved_url(), self.resolved_token())
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def api(ctx: typer.Context) -> AdminClient:
    """The client of the server the command line names (the root command put it in ``obj``)."""
    target = ctx.find_object(Target)
    if target is None:  # a command invoked without the root command, as only tests could
        raise CliError("No server given.")
    return target.client()


class AdminClient:
    """Calls ``/api``; every failure becomes a ``CliError`` that says what happened."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        import httpx

        self.url = url
        self._http = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=5.0),
        )

    def get(self, path: str, *, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: object = None) -> Any:
        return self.call("POST", path, body=body)

    def patch(self, path: str, body: object) -> Any:
        return self.call("PATCH", path, body=body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        response = self.call_raw(method, path, body=body, params=params)
        _raise_for(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def call_raw(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The reply whatever its status; only an unreachable server is an error."""
        with self._reaching():
            return self._http.request(method, path, json=body, params=params)

    @contextmanager
    def stream(self, method: str, path: str, *, body: object = None) -> Iterator[httpx.Response]:
        import httpx

        with self._reaching(), self._http.stream(method, path, json=body, timeout=None) as reply:
            if reply.is_error:
                reply.read()
                _raise_for(reply)
            try:
                yield reply
            except httpx.TransportError as exc:
                raise CliError(f"The connection to {self.url} broke off: {exc}") from None

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        import httpx

        try:
            yield
        except httpx.ConnectError:
            raise CliError(
                f"Cannot reach the server at {self.url}: is `mlx-manager serve` running?"
                " (--url or MLX_MANAGER_URL names another server)"
            ) from None
        except httpx.TimeoutException:
            raise CliError(f"The server at {self.url} did not answer in time.") from None
        except httpx.TransportError as exc:
            raise CliError(f"Talking to {self.url} failed: {exc}") from None

    def close(self) -> None:
        self._http.close()


def _raise_for(response: httpx.Response) -> None:
    if not response.is_error:
        return
    message = server_message(response)
    if response.status_code == 401:
        raise CliError(
            f"The server refused the admin token (401): {message} Pass --token or set"
            " MLX_MANAGER_ADMIN_TOKEN, or check --data-dir."
        )
    raise CliError(f"{message} ({response.status_code})")


def server_message(response: httpx.Response) -> str:
    """The server's own words: ``detail``, or each field error of a 422."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(_field_error(e) for e in detail if isinstance(e, dict))
    return response.reason_phrase


def _field_error(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", []) if part not in ("body", "query", "path")]
    where = ".".join(loc)
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))
