"""``/api/logs``: filters, paging and CSV/JSONL export over stored rows, on both databases."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from fastapi import FastAPI

from mlx_manager.observability.record import RequestRecord
from mlx_manager.settings import Settings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    # Rows from 2025 would be pruned by age as the app starts.
    return settings.model_copy(
        update={"database_url": database_url, "request_log_retention_days": None}
    )


def row(n: int, **fields: object) -> RequestRecord:
    values: dict[str, object] = {
        "endpoint": "/v1/chat/completions",
        "protocol": "openai",
        "created_at": T0 + n * 60,
        "request_id": f"r{n}",
        "model_requested": "alias",
        "provider": "groq",
        "model": "llama",
        "attempts": 1,
        "status": 200,
        "latency": 0.1,
    }
    return RequestRecord(**{**values, **fields})  # type: ignore[arg-type]


ROWS = [
    row(0),
    row(1, provider="openai", model="gpt", model_requested="gpt", api_key_name="team-a"),
    row(2, status=429, error="upstream_rate_limited", api_key_name="team-a"),
    row(3, status=503, error="no_route_available", provider=None, model=None),
    row(4, stream=True, first_byte=0.02, error="client_disconnected", api_key_name="team-b"),
    row(5, model_requested='=HYPERLINK("x")', provider="openai", model="gpt"),
]


@pytest.fixture
async def logs(app: FastAPI) -> None:
    request_log = app.state.mm.observer.request_log
    for record in ROWS:
        request_log.submit(record)
    assert await request_log.flush()


async def ids(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/api/logs", params=params)
    assert response.status_code == 200, response.text
    return [item["request_id"] for item in response.json()["items"]]


@pytest.mark.usefixtures("logs")
async def test_filters(client: httpx.AsyncClient) -> None:
    assert await ids(client) == ["r5", "r4", "r3", "r2", "r1", "r0"]
    assert await ids(client, provider="openai") == ["r5", "r1"]
    assert await ids(client, model="gpt") == ["r5", "r1"]  # served
    assert await ids(client, model="alias") == ["r4", "r3", "r2", "r0"]  # asked for
    assert await ids(client, status="429") == ["r2"]
    assert await ids(client, status="5xx") == ["r3"]
    assert await ids(client, status="2XX") == ["r5", "r4", "r1", "r0"]
    assert await ids(client, key="team-a") == ["r2", "r1"]
    assert await ids(client, errors="true") == ["r4", "r3", "r2"]
    since = datetime.fromtimestamp(T0 + 120, UTC).isoformat()
    assert await ids(client, since=since, until="2025-01-01T12:04:00") == ["r3", "r2"]
    assert await ids(client, since="2025-01-01T13:04:00+01:00") == ["r5", "r4"]
    bad = await client.get("/api/logs", params={"status": "teapot"})
    assert bad.status_code == 400
    assert "4xx" in bad.json()["detail"]


@pytest.mark.usefixtures("logs")
async def test_rows_show_every_field(client: httpx.AsyncClient) -> None:
    [item] = (await client.get("/api/logs", params={"key": "team-b"})).json()["items"]
    assert item["created_at"] == "2025-01-01T12:04:00Z"
    assert (item["stream"], item["ttft_ms"], item["error"]) == (True, 20.0, "client_disconnected")
    assert (item["latency_ms"], item["input_tokens"], item["prompt"]) == (100.0, None, None)


@pytest.mark.usefixtures("logs")
async def test_paging_with_a_cursor(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 4}
        if cursor is not None:
            params["cursor"] = cursor
        page = (await client.get("/api/logs", params=params)).json()
        seen += [item["request_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["r5", "r4", "r3", "r2", "r1", "r0"]
    page = (await client.get("/api/logs", params={"limit": 2, "provider": "openai"})).json()
    assert [i["request_id"] for i in page["items"]] == ["r5", "r1"]
    after = await client.get(
        "/api/logs", params={"provider": "openai", "cursor": page["next_cursor"]}
    )
    assert after.json() == {"items": [], "next_cursor": None}
    assert (await client.get("/api/logs", params={"limit": 0})).status_code == 422
    assert (await client.get("/api/logs", params={"cursor": 2**64})).status_code == 422


@pytest.mark.usefixtures("logs")
async def test_jsonl_export_streams_every_matching_row(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mlx_manager.api.admin.logs.EXPORT_PAGE", 2)  # several pages
    response = await client.get("/api/logs/export", params={"format": "jsonl", "status": "2xx"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert "request-log.jsonl" in response.headers["content-disposition"]
    lines = [orjson.loads(line) for line in response.content.splitlines()]
    assert [line["request_id"] for line in lines] == ["r5", "r4", "r1", "r0"]
    assert lines[1]["ttft_ms"] == 20.0


@pytest.mark.usefixtures("logs")
async def test_csv_export(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/logs/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["request_id"] for r in table] == ["r5", "r4", "r3", "r2", "r1", "r0"]
    assert table[2]["provider"] == "" and table[2]["status"] == "503"
    # A cell that a spreadsheet would run as a formula is quoted as text.
    assert table[0]["model_requested"] == '\'=HYPERLINK("x")'
    empty = await client.get("/api/logs/export", params={"format": "csv", "key": "nobody"})
    assert empty.text.splitlines() == response.text.splitlines()[:1]  # the header only


async def test_logs_are_for_admins_only(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as anonymous:
        assert (await anonymous.get("/api/logs")).status_code == 401
        assert (await anonymous.get("/api/logs/export")).status_code == 401
