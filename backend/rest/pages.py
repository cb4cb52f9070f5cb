"""The identity provider's pages (sign-in, consent, errors): localized, mobile-first HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from backend.i18n import Catalogs, Locale

# Every text on the pages, by name; the value is the English msgid in locales/*/onewindow.po.
TEXTS: dict[str, str] = {
    "site_name": "onewindow",
    "sign_in_title": "Sign in",
    "sign_in_intro": "Sign in once to use every government service and mini-program.",
    "phone_label": "Mobile phone number",
    "send_code": "Send code",
    "code_label": "6-digit code",
    "code_sent": "We sent a code by SMS to {phone}. It is valid for 5 minutes.",
    "sign_in": "Sign in",
    "sandbox_title": "Sandbox",
    "sandbox_notice": "This app is in the sandbox: only these test personas sign in here, with the code 000000.",
    "sandbox_code": "Sandbox: no SMS is sent. Enter the code 000000.",
    "consent_title": "{client} would like to",
    "consent_intro": "You are signed in as {who}. Only the items below are shared with {client}.",
    "consent_remember": "You can withdraw this at any time in the app under Settings, Authorized apps.",
    "allow": "Allow",
    "deny": "Deny",
    "error_title": "This request cannot be completed",
    "error_unknown_client": "The app that sent you here is not registered, or its return address is not allowed.",
    "error_generic": "Please go back to the app and try again.",
    "unverified": "a citizen whose identity is not yet verified",
    "verify_title": "Receipt check",
    "verify_valid": "This receipt is genuine.",
    "verify_reversed": "This receipt is genuine, and was reversed in full (refunded).",
    "verify_partially_reversed": "This receipt is genuine, and was partly reversed (refunded).",
    "verify_unknown": "No receipt matches these numbers: it is not genuine, or they were mistyped.",
    "verify_receipt": "Receipt",
    "verify_code_number": "Code and number",
    "verify_payer": "Payer",
    "verify_amount": "Amount",
    "verify_date": "Date of issue",
    "verify_issuer": "Issued by",
    "verify_reverses": "Reverses receipt",
}


class Pages:
    """Renders the templates with texts in the request's locale."""

    def __init__(self, messages: Catalogs) -> None:
        self._messages = messages
        self._env = Environment(
            loader=FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=select_autoescape(["html"]),
            auto_reload=False,
        )

    def texts(self, locale: Locale, **params: Any) -> dict[str, str]:
        """Every page text in `locale`, with params filled in where a text has them."""
        result = {}
        for key, msgid in TEXTS.items():
            result[key] = self._messages.gettext(locale, msgid, **params)
        return result

    def render(self, template: str, locale: Locale, params: dict[str, Any] | None = None, **context: Any) -> str:
        """A whole page."""
        lang = {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant", "en": "en"}[locale.value]
        return self._env.get_template(template).render(lang=lang, t=self.texts(locale, **(params or {})), **context)
