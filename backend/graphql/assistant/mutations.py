"""`assistantMessage`: a citizen (or anyone, anonymously) talks to the Rasa assistant."""

from __future__ import annotations

from enum import Enum
from urllib.parse import urlencode

import strawberry

from backend.assistant import ratings
from backend.assistant.drafts import SavedDraft, save_assistant_draft
from backend.assistant.errors import AssistantErrorCode
from backend.assistant.relay import BotMessage, DraftRequest, Reply
from backend.errors import DomainError
from backend.graphql.context import Info
from backend.graphql.errors import PayloadError
from backend.graphql.pipeline import mutate, mutation
from backend.graphql.privacy import disclosed
from backend.i18n import pick
from backend.identity.clients import ASSISTANT_CLIENT_ID
from backend.identity.models import Scope, SubjectType

DELEGATED_SCOPES = [Scope.APPLICATIONS_READ.value]
DELEGATED_SECONDS = 120  # one message's actions; the token dies with the citizen's session anyway
DRAFT_SCOPE = Scope.APPLICATIONS_WRITE.value  # what saveDraft asks of the citizen's own token
HALL = Scope.HALL.value  # what rating a service asks of it (as rateService does)


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
    text: str = disclosed(description="ID and phone numbers in it masked for a reader whose scopes do not cover them.")
    buttons: list[AssistantButton]


@strawberry.type(description="A matter or life-event bundle the assistant proposes, with the link that opens its form.")
class AssistantSuggestion:
    code: str
    kind: SuggestionKind
    title: str
    deep_link: str = strawberry.field(description="Opens the pre-filled application form in the phone app.")


@strawberry.type(
    description='The draft the assistant saved for the signed-in citizen ("apply now"): nothing was submitted.'
)
class AssistantDraft:
    kind: SuggestionKind
    code: str
    title: str = strawberry.field(description="The matter's or bundle's name.")
    version: int = strawberry.field(description="The draft's version (as saveDraft and applicationForm show it).")
    deep_link: str = strawberry.field(description="Opens the form with the draft in the phone app.")
    prefilled: list[str] = strawberry.field(
        description="The labels of the fields this conversation filled in (the citizen's own entries are kept)."
    )


@strawberry.type(description="The assistant's reply: its messages and the matters or bundles it proposes, best first.")
class AssistantReply:
    conversation_id: strawberry.ID = strawberry.field(description="Send it with the next message to continue.")
    messages: list[AssistantMessage]
    suggestions: list[AssistantSuggestion]
    errors: list[PayloadError]
    draft: AssistantDraft | None = strawberry.field(
        default=None, description='The draft saved for this reply\'s "apply now" (null when none was).'
    )


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


async def _draft(info: Info, request: DraftRequest) -> tuple[AssistantDraft | None, list[PayloadError]]:
    """Save the draft the reply asks for, in a transaction of its own (the relay holds none open while
    Rasa thinks): only for a signed-in citizen whose token may save drafts; anyone else is asked by the
    assistant to sign in, and nothing is kept."""
    principal = info.context.principal
    if principal is None or principal.subject_type is not SubjectType.CITIZEN:
        return None, []
    if not principal.has_scope(DRAFT_SCOPE):  # a citizen's app without it: say so, the reply spoke of a draft
        _, refused = await mutate(info, _draft_refused, transaction=False)
        return None, refused
    citizen, applications = principal.subject_id, await info.context.applications()
    saved, errors = await mutate(
        info, lambda: save_assistant_draft(applications.drafts, applications.targets, citizen, request)
    )
    return (_built(info, saved) if saved else None), errors


async def _draft_refused() -> None:
    raise DomainError(AssistantErrorCode.ASSISTANT_DRAFT_NOT_SAVED)


def _built(info: Info, saved: SavedDraft) -> AssistantDraft | None:
    snapshot, locale = info.context.snapshot, info.context.locale
    kind = SuggestionKind.BUNDLE if saved.kind == "bundle" else SuggestionKind.MATTER
    record = (
        snapshot.bundle_by_code.get(saved.code) if kind is SuggestionKind.BUNDLE else snapshot.by_code.get(saved.code)
    )
    if record is None:  # saved a moment ago, so the catalog has it; a reload in between shows no dead link
        return None
    query = urlencode({kind.value: saved.code, "draft": saved.version})
    return AssistantDraft(
        kind=kind,
        code=saved.code,
        title=pick(record.name, locale),
        version=saved.version,
        deep_link=f"{info.context.settings.app_link}?{query}",
        prefilled=[pick(field.label, locale) for field in saved.filled],
    )


async def _rating_turn(
    info: Info, turn: ratings.Ask | ratings.Rate
) -> tuple[list[AssistantMessage], list[PayloadError]]:
    """Offer the services waiting for a rating, or record the level tapped; a stranger is asked to sign in."""
    context, principal = info.context, info.context.principal
    catalogs, locale = context.resources.messages, context.locale
    if principal is None or principal.subject_type is not SubjectType.CITIZEN or not principal.has_scope(HALL):
        return [AssistantMessage(text=catalogs.gettext(locale, ratings.SIGN_IN), buttons=[])], []
    citizen, snapshot = principal.subject_id, await context.catalog_snapshot()
    deps = context.resources.applications

    async def work() -> list[BotMessage]:
        if isinstance(turn, ratings.Ask):
            return await ratings.prompt(context.session, citizen, snapshot, catalogs, locale)
        days = context.settings.rectification_days
        return await ratings.take(
            context.session,
            citizen,
            turn,
            snapshot,
            catalogs,
            locale,
            now=deps.clock(),
            calendar=deps.calendar,
            rectification_days=days,
        )

    said, errors = await mutate(info, work)
    shown = [
        AssistantMessage(text=m.text, buttons=[AssistantButton(title=b.title, payload=b.payload) for b in m.buttons])
        for m in said or []
    ]
    # A refusal (rated already, not yours) is said in the chat too, in the caller's language.
    return shown or [AssistantMessage(text=e.message, buttons=[]) for e in errors], errors


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
        turn = ratings.read_turn(text)
        if turn is not None:  # a 好差评 turn: the backend's, for the signed-in citizen (backend/assistant/ratings.py)
            messages, errors = await _rating_turn(info, turn)
            return AssistantReply(
                conversation_id=strawberry.ID(conversation), messages=messages, suggestions=[], errors=errors
            )
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
        draft, draft_errors = await _draft(info, reply.draft) if reply.draft else (None, [])
        return AssistantReply(
            conversation_id=strawberry.ID(reply.conversation_id),
            messages=[
                AssistantMessage(
                    text=m.text, buttons=[AssistantButton(title=b.title, payload=b.payload) for b in m.buttons]
                )
                for m in reply.messages
            ],
            suggestions=await _suggestions(info, reply),
            errors=draft_errors,
            draft=draft,
        )
