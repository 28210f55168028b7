"""Log lines: JSON on request, each with the id of the request it was written for."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import httpx
import orjson
import pytest

from mlx_manager.observability.log_format import (
    TEXT_FORMAT,
    JsonFormatter,
    RequestIdFilter,
    access_handler,
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
    with server_process(data_dir, MLX_MANAGER_LOG_FORMAT="json", MLX_MANAGER_ACCESS_LOG="true") as (
        _process,
        base_url,
    ):
        response = httpx.post(
            base_url + "/v1/chat/completions",
            json={"model": "nothing-serves-this", "messages": []},
            headers={"x-request-id": "json-log-1"},
        )
        assert response.status_code == 404
        # The access line is written by a thread of its own, a moment later.
        deadline = time.monotonic() + 10
        while "json-log-1" not in (tmp_path / "server.log").read_text():
            assert time.monotonic() < deadline, "no access line was written"
            time.sleep(0.05)
    lines = (tmp_path / "server.log").read_text().splitlines()
    parsed = [orjson.loads(line) for line in lines if line.strip()]  # every line is JSON
    access = [p for p in parsed if p["logger"] == "uvicorn.access"]
    assert access and access[-1]["request_id"] == "json-log-1"
    assert "POST /v1/chat/completions" in access[-1]["message"]
    assert all("request_id" not in p for p in parsed if p["logger"] == "uvicorn.error")


def test_by_default_no_request_gets_an_access_line(tmp_path: Path) -> None:
    with server_process(tmp_path / "data") as (_process, base_url):
        response = httpx.post(
            base_url + "/v1/chat/completions",
            json={"model": "nothing-serves-this", "messages": []},
            headers={"x-request-id": "quiet-1"},
        )
        assert response.status_code == 404
        assert httpx.get(base_url + "/health").status_code == 200
    log = (tmp_path / "server.log").read_text()
    assert "Uvicorn running" in log or "Application startup complete" in log
    assert "POST /v1/chat/completions" not in log
    assert "GET /health" not in log
    assert "quiet-1" not in log


def test_the_access_log_is_formatted_and_written_off_the_calling_thread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    formatted_on: list[str] = []

    class Spy(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            formatted_on.append(threading.current_thread().name)
            return super().format(record)

    handler = access_handler("text")
    (writer,) = handler.listener.handlers
    writer.setFormatter(Spy(TEXT_FORMAT))
    logger = logging.getLogger("tests.access")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = request_id_var.set("req-7")
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "POST", "/v1/messages", "1.1", 200)
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    deadline = time.monotonic() + 5
    while not formatted_on and time.monotonic() < deadline:
        time.sleep(0.01)
    handler.listener.stop()
    assert formatted_on and formatted_on[0] != threading.current_thread().name
    err = capsys.readouterr().err
    # The request id was taken on the calling thread, where the request's context is.
    assert '[req-7] 127.0.0.1:1 - "POST /v1/messages HTTP/1.1" 200' in err


def test_the_access_logger_is_silent_unless_asked_for() -> None:
    quiet = log_config("text", "info")
    assert quiet["loggers"]["uvicorn.access"]["handlers"] == []
    assert "access" not in quiet["handlers"]
    loud = log_config("json", "info", access_log=True)
    assert loud["loggers"]["uvicorn.access"]["handlers"] == ["access"]
