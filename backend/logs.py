"""Structured JSON logs (structlog) with the request id on every line and personal data masked."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import structlog

from backend.privacy import mask_text

_SECRET_KEYS = frozenset(
    {
        "password",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "secret",
        "otp",
        "login_code",
        "authorization",
        "cookie",
    }
)


# What the platform itself writes on every line: never personal data, and a request id a citizen quotes
# from an error message must be found in the log as it was given.
_OURS = frozenset({"request_id", "timestamp", "level", "logger"})
# Shorter values are too common to hide (a "yes", a page number) and too short to be a secret.
_MIN_HIDDEN_LENGTH = 4


class _RequestValues:
    """What a caller sent in the current request (and in the enclosing scope's), read when a line needs it.

    Read afresh for each line: a form body is still arriving when the first lines are written.
    """

    def __init__(self, source: Callable[[], Iterable[str]], outer: _RequestValues | None) -> None:
        self._source = source
        self._outer = outer

    def values(self) -> list[str]:
        found = {v for v in self._source() if len(v) >= _MIN_HIDDEN_LENGTH}
        if self._outer is not None:
            found.update(self._outer.values())
        return sorted(found, key=len, reverse=True)  # longest first: a value inside another


_request_values: ContextVar[_RequestValues | None] = ContextVar("onewindow_request_values", default=None)


@contextmanager
def hiding_request_values(source: Callable[[], Iterable[str]]) -> Iterator[None]:
    """Redact, in every log line written meanwhile, the values `source` yields (what the caller sent).

    A caller's input may hold a password, a refresh token or a login code under any name, and an
    error message or a traceback may quote it: no log line written for this request repeats it.
    `source` runs only when a line is written.
    """
    token = _request_values.set(_RequestValues(source, _request_values.get()))
    try:
        yield
    finally:
        _request_values.reset(token)


def redacted(text: str) -> str:
    """`text` as a log line shows it: personal numbers masked, the current scope's values hidden (for
    text that leaves the process another way, such as a failed job's error kept in the queue)."""
    request = _request_values.get()
    return _hide(text, request.values() if request is not None else [])


def _hide(text: str, hidden: list[str]) -> str:
    for value in hidden:
        if value in text:
            text = text.replace(value, "[redacted]")
    return mask_text(text)


def _mask(value: Any, hidden: list[str]) -> Any:
    if isinstance(value, str):
        return _hide(value, hidden)
    if isinstance(value, dict):
        return {k: "[redacted]" if k.lower() in _SECRET_KEYS else _mask(v, hidden) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, hidden) for v in value]
    return value


def mask_personal_data(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask personal numbers and drop secrets (and the request's values) from every line.

    It runs after the traceback is rendered to text, so a traceback is masked like any other value.
    """
    request = _request_values.get()
    hidden = request.values() if request is not None else []
    for key, value in list(event.items()):
        if key in _OURS:
            continue
        if key.lower() in _SECRET_KEYS and key != "event":
            event[key] = "[redacted]"
        else:
            event[key] = _mask(value, hidden)
    return event


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """Route structlog and the standard library's logging to stdout, one JSON object per line."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        # Tracebacks become text here, before masking: what an exception's message quotes is masked too.
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        # Drop lines below the level before any work is done on them (masking is not free).
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "saq"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
    # The job queue says "enqueuing", "processing" and "scheduled" every second; its warnings and failed
    # jobs stay (the worker logs each run as `jobs.ran`), the chatter only at debug.
    logging.getLogger("saq").setLevel(max(root.level, logging.WARNING) if root.level > logging.DEBUG else root.level)
    # Our middleware writes the access line (with the request id); uvicorn's would duplicate it.
    logging.getLogger("uvicorn.access").disabled = True
