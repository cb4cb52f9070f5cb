"""Rasa's REST channel on a loopback port, for backend tests of `assistantMessage` without Rasa: it
records what the backend sends (the text, the sender, the metadata with the lent token) and answers
what the test set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Litestar, Request, post

from tests.support.live import listener, served


class FakeRasa:
    """Answers `answer` to every message; keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: list[dict[str, Any]] = [{"recipient_id": "x", "text": "好的"}]

    @property
    def tokens(self) -> list[str]:
        """The tokens the backend lent the assistant, one per message of a signed-in citizen."""
        return [r["metadata"]["token"] for r in self.requests if "token" in r["metadata"]]

    def drafts(self, draft: Any) -> None:
        """The next reply: a text, then the draft request (as the actions send it)."""
        self.answer = [
            {"recipient_id": "x", "text": "已为您准备好申请表"},
            {"recipient_id": "x", "custom": {"draft": draft}},
        ]

    def app(self) -> Litestar:
        @post("/webhooks/rest/webhook", status_code=200)
        async def webhook(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
            self.requests.append(await request.json())
            return self.answer

        return Litestar(route_handlers=[webhook])


@contextmanager
def fake_rasa() -> Iterator[tuple[FakeRasa, str]]:
    """A fake Rasa served on a free port, and its URL."""
    fake = FakeRasa()
    sock, url = listener()
    with served(fake.app(), sock):
        yield fake, url
