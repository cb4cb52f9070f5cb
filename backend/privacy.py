"""The one rule for personal data in anything the platform answers or logs.

Four kinds of personal data, each covered by one OAuth scope: ID numbers (`id_number`), phone numbers
(`phone`), what a certificate says (`certificates:read`: its numbers, its fields, its id) and the
profile (`profile`: name, address, birth date). Who reads decides what they see:

- the citizen in the platform's own app, and an officer handling the application: everything;
- a mini-program (or the assistant's delegated token): the kinds its token's scopes cover;
- anyone else (finance staff, platform admins, the public, logs): none of it.

A value of a known kind the reader may not see is withheld (null); a phone they may see is written
E.164 (+8613800138000), as every machine-readable field writes it. ID and phone numbers are also found
by their shape wherever they sit in text a person reads (a typed remark, an officer's reason, a rule's
explanation) and masked there (440106********123X, 138****8000), so text is never a way around the
rule. A form's values take their kind from what the field holds (`field_kind`), so what the citizen
typed into a phone, ID or address field is covered like the profile it could have come from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from backend.identity.models import Principal, Role, SubjectType
from backend.identity.numbers import e164_phone

# 18-character resident ID numbers (the last may be X) and mainland mobile numbers, in ASCII or
# full-width digits, written whole or in groups (138 0013 8000, 440106-19880315-011X), and not part
# of a longer word (a request id, a hexadecimal hash).
_D = "[0-9\uff10-\uff19]"
_EDGE = "0-9\uff10-\uff19A-Za-z"
_ID_NUMBER = re.compile(
    rf"(?<![{_EDGE}])([1-9\uff11-\uff19]{_D}{{5}})[ -]?{_D}{{8}}[ -]?"
    rf"({_D}{{3}}[0-9\uff10-\uff19Xx\uff38\uff58])(?![{_EDGE}])"
)
_PHONE = re.compile(
    rf"(?<![{_EDGE}])((?:\+?86[ -]?)?[1\uff11][3-9\uff13-\uff19]{_D})[ -]?{_D}{{4}}[ -]?({_D}{{4}})(?![{_EDGE}])"
)


class Personal(StrEnum):
    """A kind of personal data; its value is the scope that lets a mini-program see it."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    CERTIFICATE = "certificates:read"
    PROFILE = "profile"


Kinds = Personal | Mapping[str, "Personal | None"] | None
"""What a value is: one kind for the whole value, one per key of a JSON object, or None (only its text)."""


def mask_text(text: str) -> str:
    """Every ID number and phone number in `text`, masked: what anyone but the owner may read."""
    return _PHONE.sub(r"\1****\2", _ID_NUMBER.sub(r"\1********\2", text))


def mask_name(name: str) -> str:
    """李** : a name as someone who may not see the profile reads it (a receipt's payer, say)."""
    return name[:1] + "*" * max(len(name) - 1, 0)


def source_kind(source: str | None) -> Personal | None:
    """The kind of a form value by where it came from ("cert:MARRIAGE.spouse_name", "profile.name", ...)."""
    origin = (source or "").removeprefix("corrected:")
    if origin.startswith("cert:"):
        return Personal.CERTIFICATE
    if origin == "profile.id_number":
        return Personal.ID_NUMBER
    if origin == "profile.phone":
        return Personal.PHONE
    if origin.startswith("profile."):
        return Personal.PROFILE
    return None


# What a form field holds, by its catalog type: a typed phone is a phone whatever the field is called.
_TYPE_KINDS = {"id_number": Personal.ID_NUMBER, "phone": Personal.PHONE, "address": Personal.PROFILE}
# Text fields, by what their key says they hold. A person's name (the citizen's or another person's:
# a spouse, a child, a seller, a contact) is covered by `profile`, unless the key names an organisation;
# a number that identifies a person (passport, permit, identity document, card or account) by `id_number`.
_PERSON_NAME = re.compile(r"(^|_)name$|_person$|_officer$|_manager$|^opposing_party$")
_ORGANISATION = re.compile(
    r"^(entity|employer|project|school|bank|proposed|show|developer|contractor|institution|hospital|trader"
    r"|respondent|mortgagee|platform)_"
)
_PERSON_NUMBER = re.compile(r"(passport|permit|identity|document|license|card)_number$|_account$")


def field_kind(field_type: str | None, key: str, source: str | None) -> Personal | None:
    """The kind of a form value: what the field holds (its type, or a text field's key), else where it
    came from (`source_kind`). None: not personal, shown to whoever may read the form (its ID and phone
    numbers still masked by their shape)."""
    by_type = _TYPE_KINDS.get(field_type or "")
    if by_type is not None:
        return by_type
    if field_type in (None, "text"):
        if _PERSON_NAME.search(key) and not _ORGANISATION.match(key):
            return Personal.PROFILE
        if _PERSON_NUMBER.search(key):
            return Personal.ID_NUMBER
    return source_kind(source)


def path_kind(path: str | None) -> Personal | None:
    """The kind of a value an instant-approval rule read, by its data path ("certs.X.y", "profile.z")."""
    if not path:
        return None
    if path.startswith("certs."):
        return Personal.CERTIFICATE
    if path.startswith("profile."):
        return source_kind(path)
    return None


class Disclosure:
    """What one reader may see; `show` passes any value through the rule.

    A noting disclosure (a mini-program's) also keeps which kinds it let through (`opened`): the scopes
    whose data the request read, which the citizen is shown (`myDataAccess`).
    """

    def __init__(self, visible: frozenset[Personal], *, noting: bool = False) -> None:
        self.visible = visible
        self._id_numbers = Personal.ID_NUMBER in visible
        self._phones = Personal.PHONE in visible
        self.opened: set[Personal] | None = set() if noting else None

    def _note(self, kind: Personal) -> None:
        if self.opened is not None:
            self.opened.add(kind)

    def sees(self, kind: Personal) -> bool:
        """Whether this reader may see `kind` unmasked (asked before showing it: noted when it may)."""
        if kind in self.visible:
            self._note(kind)
            return True
        return False

    def text(self, text: str) -> str:
        """`text` with the ID and phone numbers this reader may not see masked."""
        if not self._id_numbers:
            text = _ID_NUMBER.sub(r"\1********\2", text)
        elif self.opened is not None and Personal.ID_NUMBER not in self.opened and _ID_NUMBER.search(text):
            self.opened.add(Personal.ID_NUMBER)  # shown unmasked because the token holds id_number
        if not self._phones:
            text = _PHONE.sub(r"\1****\2", text)
        elif self.opened is not None and Personal.PHONE not in self.opened and _PHONE.search(text):
            self.opened.add(Personal.PHONE)
        return text

    def show(self, value: Any, kinds: Kinds = None) -> Any:
        """`value` (text, number, or JSON) as this reader may see it."""
        if isinstance(kinds, Mapping):
            if isinstance(value, dict):
                return {key: self.show(item, kinds.get(key)) for key, item in value.items()}
            kinds = None
        if isinstance(value, list):
            return [self.show(item, kinds) for item in value]
        if isinstance(value, dict):
            return {key: self.show(item, kinds) for key, item in value.items()}
        if kinds is Personal.PHONE and kinds in self.visible and type(value) in (str, int):
            self._note(kinds)
            return e164_phone(str(value))
        if value is None or isinstance(value, bool) or kinds in self.visible:
            if value is not None and isinstance(kinds, Personal) and kinds in self.visible:
                self._note(kinds)
            return self.text(value) if isinstance(value, str) else value
        if kinds is not None:
            return None  # withheld: a value of a kind the reader's scopes do not cover
        if isinstance(value, str):
            return self.text(value)
        masked = self.text(str(value))  # a phone number sent as a JSON number is still a phone number
        return masked if masked != str(value) else value


EVERYTHING = Disclosure(frozenset(Personal))
NOTHING = Disclosure(frozenset())


def disclosure_for(principal: Principal | None) -> Disclosure:
    """What the caller behind `principal` may see (see the module's docstring)."""
    if principal is None:
        return NOTHING
    if principal.subject_type is SubjectType.STAFF:
        # Officers see the applications of their departments whole (access is checked before this);
        # finance staff and platform admins work on money and the platform, not on people's data.
        return EVERYTHING if principal.has_role(Role.OFFICER) else NOTHING
    if principal.first_party:
        return EVERYTHING
    return Disclosure(frozenset(kind for kind in Personal if principal.has_scope(kind.value)), noting=True)
