"""Read what the app logs, through the formatter it configured (masking, redaction, JSON rendering)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Captured:
    """The log lines written while capturing, as text and as JSON objects."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        """Everything written, as the server's standard output would hold it."""
        return self.stream.getvalue()

    def events(self) -> list[dict[str, Any]]:
        """Each line, decoded."""
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@contextmanager
def captured_logs(level: int = logging.INFO) -> Iterator[Captured]:
    """Copy every log line at `level` and above, rendered exactly as the app renders its own."""
    root = logging.getLogger()
    formatter = root.handlers[0].formatter
    captured = Captured()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(formatter)
    before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(before)
