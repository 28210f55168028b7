"""Log lines: JSON on request, each with the id of the request it was written for."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import orjson

from mlx_manager.observability.log_format import (
    JsonFormatter,
    RequestIdFilter,
    log_config,
    request_id_var,
)
from tests.test_shutdown import server_process


def formatted(formatter: logging.Formatter, message: str) -> str:
    record = logging.LogRecord("mlx_manager.x", logging.WARNING, __file__, 1, message, (), None)
    RequestIdFilter().filter(record)
    return formatter.format(record)


def test_json_lines_carry_the_request_id_when_there_is_one() -> None:
    formatter = JsonFormatter()
    assert "request_id" not in orjson.loads(formatted(formatter, "outside"))
    token = request_id_var.set("abc")
    try:
        line = orjson.loads(formatted(formatter, "inside"))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "abc"
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "mlx_manager.x",
        "inside",
    )


def test_text_lines_carry_it_too() -> None:
    text = logging.Formatter(log_config("text", "info")["formatters"]["default"]["format"])
    token = request_id_var.set("abc")
    try:
        assert "[abc] inside" in formatted(text, "inside")
    finally:
        request_id_var.reset(token)


def test_the_server_logs_json_with_request_ids_in_the_access_log(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with server_process(data_dir, MLX_MANAGER_LOG_FORMAT="json") as (_process, base_url):
        response = httpx.post(
            base_url + "/v1/chat/completions",
            json={"model": "nothing-serves-this", "messages": []},
            headers={"x-request-id": "json-log-1"},
        )
        assert response.status_code == 404
    lines = (tmp_path / "server.log").read_text().splitlines()
    parsed = [orjson.loads(line) for line in lines if line.strip()]  # every line is JSON
    access = [p for p in parsed if p["logger"] == "uvicorn.access"]
    assert access and access[-1]["request_id"] == "json-log-1"
    assert "POST /v1/chat/completions" in access[-1]["message"]
    assert all("request_id" not in p for p in parsed if p["logger"] == "uvicorn.error")
