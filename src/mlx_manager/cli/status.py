"""``status``: is the server up and ready, its version, its providers' health, the loaded models."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import typer

from mlx_manager.cli.client import AdminClient, api
from mlx_manager.cli.output import (
    JsonOption,
    masked,
    print_json,
    print_table,
    say,
    size,
)


def show_status(ctx: typer.Context, as_json: JsonOption = False) -> int:
    """Health, version, providers and their health, loaded local models."""
    client = api(ctx)
    report = gather(client)
    if as_json:
        print_json(report)
    else:
        _draw(report)
    return 0 if report["ready"]["status"] == "ready" else 1


def gather(client: AdminClient) -> dict[str, Any]:
    health = client.get("/health")
    ready = _ready(client)
    # The admin API names no version of its own; the OpenAPI document's is the package's.
    version = client.get("/openapi.json")["info"]["version"]
    providers = client.get("/api/settings/providers")["providers"]
    targets = client.get("/api/settings/rules/health")["targets"]
    engine = client.get("/api/models/status")
    by_provider: dict[object, list[dict[str, Any]]] = defaultdict(list)
    for target in targets:
        by_provider[target["provider"]].append(target)
    return {
        "url": client.url,
        "version": version,
        "health": health["status"],
        "ready": ready,
        "providers": [{**p, "health": _health(by_provider.get(p["id"], []))} for p in providers],
        "local": {
            "health": _health(by_provider.get("local", [])),
            "loaded": engine["loaded"],
            "loading": engine["loading"],
            "memory_bytes": engine["memory_bytes"],
            "max_memory_bytes": engine["max_memory_bytes"],
        },
    }


def _ready(client: AdminClient) -> dict[str, Any]:
    # 503 is an answer here (storage away or not migrated), not a failed call.
    response = client.call_raw("GET", "/ready")
    body: dict[str, Any] = response.json()
    return body


def _health(targets: list[dict[str, Any]]) -> str:
    """One word for a provider from its targets' recent health."""
    if not targets:
        return "no traffic"
    states = {t["state"] for t in targets}
    if states == {"healthy"}:
        return "healthy"
    down = sum(1 for t in targets if t["state"] != "healthy")
    return f"{down} of {len(targets)} targets backing off"


def _draw(report: dict[str, Any]) -> None:
    ready = report["ready"]
    state = ready["status"] + (f" ({ready['detail']})" if ready.get("detail") else "")
    say(f"MLX Manager {report['version']} at {report['url']}: {state}")
    print_table(
        ("name", "type", "api", "base URL", "key", "health"),
        (
            (
                p["name"],
                p["backend_type"],
                p["api_type"],
                p["effective_base_url"],
                masked(p["key_last4"]) if p["has_key"] else "none",
                p["health"],
            )
            for p in report["providers"]
        ),
        title="Providers",
    )
    local = report["local"]
    limit = local["max_memory_bytes"]
    print_table(
        ("model", "size", "pinned", "in use", "idle s"),
        (
            (m["name"], size(m["size_bytes"]), m["pinned"], m["in_use"], m["idle_seconds"])
            for m in local["loaded"]
        ),
        title=(
            f"Local models loaded ({size(local['memory_bytes'])}"
            f"{' of ' + size(limit) if limit else ''}; {local['health']})"
        ),
    )
    if local["loading"]:
        say("Loading: " + ", ".join(local["loading"]))
