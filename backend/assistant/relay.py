"""Relaying a citizen's message to the Rasa assistant, and reading its reply.

The Rasa server is a separate process (its own Python 3.10 environment). Each message goes over its
REST channel with metadata the assistant's actions use: the conversation's locale, and for a
signed-in citizen a delegated token (read-only, two minutes, tied to the citizen's session) with which
they call GraphQL as that citizen. Conversations are keyed by a sender id derived from the caller and
the conversation id, so a conversation id alone never reaches anybody else's conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

import httpx
import msgspec
import structlog

from backend.assistant.errors import AssistantErrorCode
from backend.errors import CommonErrorCode, DomainError

log = structlog.get_logger("backend.assistant")
MAX_TEXT = 500
"""Longest message relayed (characters)."""


class Button(msgspec.Struct, frozen=True):
    """A button the citizen can tap: its payload is sent back as the next message."""

    title: str
    payload: str


class BotMessage(msgspec.Struct, frozen=True):
    """One message of the assistant."""

    text: str
    buttons: list[Button]


class SuggestionRef(msgspec.Struct, frozen=True):
    """A matter or bundle the assistant proposes (the transport adds its title and deep link)."""

    code: str
    kind: str


class DraftRequest(msgspec.Struct, frozen=True):
    """The assistant asks to keep what the conversation gathered as the citizen's draft ("apply now").

    Only ever a draft: nothing is submitted. Its values are what the citizen said, by form field key.
    """

    kind: str  # "matter" or "bundle"
    code: str
    values: dict[str, str]


class Reply(msgspec.Struct, frozen=True):
    """What the assistant answered to one message."""

    conversation_id: str
    messages: list[BotMessage]
    suggestions: list[SuggestionRef]
    draft: DraftRequest | None = None


class AssistantRelay:
    """Talks to the Rasa server's REST channel; one per process (it pools connections)."""

    def __init__(self, url: str, timeout: float, secret: bytes, transport: httpx.AsyncBaseTransport | None = None):
        self._url = url.rstrip("/") + "/webhooks/rest/webhook"
        self._secret = hmac.new(secret, b"onewindow assistant conversations", hashlib.sha256).digest()
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=2.0), transport=transport)

    async def close(self) -> None:
        """Release the connection pool."""
        await self._client.aclose()

    def conversation(self, offered: str | None) -> str:
        """The conversation to continue: one this service issued, else a new one.

        Ids are issued signed, so a client cannot pick a guessable id ("1") that a stranger also picks:
        anonymous callers all share one owner, and their conversations must not meet.
        """
        if offered and "." in offered:
            nonce, signature = offered.rsplit(".", 1)
            if hmac.compare_digest(signature, self._sign(nonce)):
                return offered
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._sign(nonce)}"

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, f"conversation|{nonce}".encode(), hashlib.sha256).hexdigest()[:16]

    def sender(self, owner: str, conversation_id: str) -> str:
        """The Rasa sender id of a caller's conversation (anonymous callers share the owner `anonymous`)."""
        return hmac.new(self._secret, f"{owner}|{conversation_id}".encode(), hashlib.sha256).hexdigest()[:40]

    async def send(self, text: str, conversation_id: str, *, owner: str, locale: str, token: str | None) -> Reply:
        """Relay one message and return the assistant's reply (ASSISTANT_UNAVAILABLE when it cannot answer)."""
        text = text.strip()
        if not text:
            raise DomainError(AssistantErrorCode.MESSAGE_EMPTY, field="text")
        if len(text) > MAX_TEXT:
            raise DomainError(CommonErrorCode.TOO_LONG, field="text", max=MAX_TEXT, length=len(text))
        metadata: dict[str, Any] = {"locale": locale}
        if token:
            metadata["token"] = token
        body = {"sender": self.sender(owner, conversation_id), "message": text, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            answer = msgspec.json.decode(response.content)
        except (httpx.HTTPError, msgspec.DecodeError) as error:
            log.warning("assistant.unavailable", error=repr(error))
            raise DomainError(AssistantErrorCode.ASSISTANT_UNAVAILABLE) from None
        reply = _reply(conversation_id, answer if isinstance(answer, list) else [])
        if not reply.messages:  # Rasa answers nothing when its action server failed
            log.warning("assistant.empty_reply")
            raise DomainError(AssistantErrorCode.ASSISTANT_UNAVAILABLE)
        return reply


# Bounds of a draft request: the assistant is another process, and what it sends is checked like input.
DRAFT_KINDS = frozenset({"matter", "bundle"})
DRAFT_CODE = re.compile(r"[A-Z0-9-]{1,32}")
DRAFT_MAX_VALUES = 20
DRAFT_MAX_KEY = 64
DRAFT_MAX_VALUE = 200


def draft_request(raw: Any) -> DraftRequest | None:
    """The draft request in a custom message, or None when there is none or it breaks a bound."""
    if not isinstance(raw, dict):
        return None
    kind, code, values = raw.get("kind"), raw.get("code"), raw.get("values", {})
    if kind not in DRAFT_KINDS or not isinstance(code, str) or not DRAFT_CODE.fullmatch(code):
        return None
    if not isinstance(values, dict) or len(values) > DRAFT_MAX_VALUES:
        return None
    bounded = all(
        isinstance(key, str)
        and 0 < len(key) <= DRAFT_MAX_KEY
        and isinstance(value, str)
        and len(value) <= DRAFT_MAX_VALUE
        for key, value in values.items()
    )
    return DraftRequest(kind=str(kind), code=code, values=dict(values)) if bounded else None


def _reply(conversation_id: str, answer: list[Any]) -> Reply:
    messages: list[BotMessage] = []
    suggestions: list[SuggestionRef] = []
    draft: DraftRequest | None = None
    for item in answer:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict) and draft is None:  # one per reply: the first one counts
            draft = draft_request(custom.get("draft"))
        if isinstance(custom, dict):
            for s in custom.get("suggestions") or []:
                if not isinstance(s, dict):
                    continue
                ref = SuggestionRef(code=str(s.get("code", "")), kind=str(s.get("kind", "matter")))
                if ref.code and ref not in suggestions:
                    suggestions.append(ref)
        if item.get("text"):
            buttons = [
                Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
                for b in item.get("buttons") or []
                if isinstance(b, dict)
            ]
            messages.append(BotMessage(text=str(item["text"]), buttons=buttons))
    return Reply(conversation_id=conversation_id, messages=messages, suggestions=suggestions, draft=draft)
