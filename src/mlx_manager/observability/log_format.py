"""Log lines: plain text, or JSON lines when ``MLX_MANAGER_LOG_FORMAT=json``.

Every line logged while a request is served carries its request id, uvicorn's access log
included: the request-id middleware sets ``request_id_var`` and uvicorn logs from the request's
own task, which sees it.

There is no access line per request unless ``MLX_MANAGER_ACCESS_LOG`` asks for one: the request
log already records every request, off the request path, and formatting and writing a line on
the event loop cost about a fifth of the fast path's throughput. When asked for, the line's
record is queued on the loop (its request id taken there) and formatted and written by a
thread of its own.
"""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import queue
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

LogFormat = Literal["text", "json"]

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or ``-``) on each record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id and request_id != "-":
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class _Listener(logging.handlers.QueueListener):
    def stop(self) -> None:
        # At exit, after a stop of its own (tests): stopping twice would raise.
        if self._thread is not None:
            super().stop()


class DeferredHandler(logging.handlers.QueueHandler):
    """Queues the record as it is: its message is formatted by ``listener``'s thread, not on the
    event loop (``QueueHandler.prepare`` would format it here)."""

    def __init__(
        self,
        lines: queue.SimpleQueue[logging.LogRecord],
        listener: logging.handlers.QueueListener,
    ) -> None:
        super().__init__(lines)
        self.listener = listener

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


def access_handler(log_format: LogFormat) -> DeferredHandler:
    """The access log's handler: records queued for a thread that formats and writes them."""
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(_formatter(log_format))
    listener = _Listener(lines, writer)
    listener.start()
    # The lines still queued are written before the process ends.
    atexit.register(listener.stop)
    handler = DeferredHandler(lines, listener)
    handler.addFilter(RequestIdFilter())
    return handler


def _formatter(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def log_config(log_format: LogFormat, level: str, *, access_log: bool = False) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the app and uvicorn (``uvicorn.run(log_config=…)``);
    uvicorn must be told ``access_log`` too, so that it makes no record at all when it is off."""
    formatter: dict[str, object] = (
        {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "default",
        "filters": ["request_id"],
    }
    own = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    handlers: dict[str, object] = {"default": handler}
    access: dict[str, object] = {"handlers": [], "level": "CRITICAL", "propagate": False}
    if access_log:
        handlers["access"] = {"()": access_handler, "log_format": log_format}
        access = {"handlers": ["access"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": handlers,
        "loggers": {"uvicorn": own, "uvicorn.access": access},
        "root": {"handlers": ["default"], "level": level.upper()},
    }
