"""`assistantMessage`: a citizen (or anyone, anonymously) talks to the Rasa assistant."""

from __future__ import annotations

from enum import Enum
from urllib.parse import urlencode

import strawberry

from backend.assistant.relay import Reply
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.pipeline import mutate, mutation
from backend.i18n import pick
from backend.identity.clients import ASSISTANT_CLIENT_ID
from backend.identity.models import Scope, SubjectType

DELEGATED_SCOPES = [Scope.APPLICATIONS_READ.value]
DELEGATED_SECONDS = 120  # one message's actions; the token dies with the citizen's session anyway


@strawberry.enum(description="What a suggestion opens.")
class SuggestionKind(Enum):
    MATTER = "matter"
    BUNDLE = "bundle"


@strawberry.type(description="A button under an assistant message: send its payload as the next message.")
class AssistantButton:
    title: str
    payload: str


@strawberry.type(description="One message of the assistant.")
class AssistantMessage:
    text: str
    buttons: list[AssistantButton]


@strawberry.type(description="A matter or life-event bundle the assistant proposes, with the link that opens its form.")
class AssistantSuggestion:
    code: str
    kind: SuggestionKind
    title: str
    deep_link: str = strawberry.field(description="Opens the pre-filled application form in the phone app.")


@strawberry.type(description="The assistant's reply: its messages and the matters or bundles it proposes, best first.")
class AssistantReply:
    conversation_id: strawberry.ID = strawberry.field(description="Send it with the next message to continue.")
    messages: list[AssistantMessage]
    suggestions: list[AssistantSuggestion]
    errors: list[PayloadError]


async def _suggestions(info: Info, reply: Reply) -> list[AssistantSuggestion]:
    snapshot = await info.context.catalog_snapshot()
    link = info.context.settings.app_link
    made = []
    for ref in reply.suggestions:
        record = snapshot.bundle_by_code.get(ref.code) if ref.kind == "bundle" else snapshot.by_code.get(ref.code)
        if record is None:  # a code the catalog no longer has: never offer a dead link
            continue
        kind = SuggestionKind.BUNDLE if ref.kind == "bundle" else SuggestionKind.MATTER
        made.append(
            AssistantSuggestion(
                code=ref.code,
                kind=kind,
                title=pick(record.name, info.context.locale),
                deep_link=f"{link}?{urlencode({kind.value: ref.code})}",
            )
        )
    return made


@strawberry.type
class AssistantMutation:
    @mutation(
        "Send a message to the assistant (in the request's language) and get its reply. Anyone may ask; "
        "a signed-in citizen can also ask about their own applications."
    )
    async def assistant_message(
        self, info: Info, text: str, conversation_id: strawberry.ID | None = None
    ) -> AssistantReply:
        context = info.context
        principal = context.principal
        conversation = context.resources.assistant.conversation(str(conversation_id or "").strip()[:80])
        token, owner = None, "anonymous"
        if principal is not None:
            owner = f"{principal.subject_type.value}:{principal.subject_id}"
            if principal.subject_type is SubjectType.CITIZEN:
                token = context.identity.access.delegated_token(
                    principal, ASSISTANT_CLIENT_ID, DELEGATED_SCOPES, DELEGATED_SECONDS
                )
        reply, errors = await mutate(
            info,
            lambda: context.resources.assistant.send(
                text, conversation, owner=owner, locale=context.locale.value, token=token
            ),
            transaction=False,  # a relay to the assistant: nothing of ours is written
        )
        if reply is None:
            return AssistantReply(
                conversation_id=strawberry.ID(conversation), messages=[], suggestions=[], errors=errors
            )
        return AssistantReply(
            conversation_id=strawberry.ID(reply.conversation_id),
            messages=[
                AssistantMessage(
                    text=m.text, buttons=[AssistantButton(title=b.title, payload=b.payload) for b in m.buttons]
                )
                for m in reply.messages
            ],
            suggestions=await _suggestions(info, reply),
            errors=[],
        )
