"""The citizen's notices about money: fees to pay (how much, how, by when), a refund (how much, why,
when it arrives), an application withdrawn because its fees were not paid. Each is an inbox notice,
rendered in the reader's language when read, and an SMS (in Simplified Chinese, as SMS are sent)."""

from __future__ import annotations

from typing import Any

from backend.i18n import Catalogs, Locale

PAYMENT_DUE = "payment_due"
REFUNDED = "refunded"
WITHDRAWN_UNPAID = "withdrawn_unpaid"
KINDS = frozenset({PAYMENT_DUE, REFUNDED, WITHDRAWN_UNPAID})

# Alipay returns a refund to the balance at once, to a bank card within a few working days: the
# citizen is told the latest day.
REFUND_ARRIVES_WITHIN_WORKING_DAYS = 7

NOTICES: dict[str, str] = {
    PAYMENT_DUE: (
        "Application {reference} ({matter}) has fees of ¥{amount} to pay. Pay them in the app under "
        "My orders (Alipay or WeChat Pay) by {due}; nothing is issued before they are paid, and after that day the "
        "application is withdrawn."
    ),
    REFUNDED: (
        "¥{amount} of application {reference} ({matter}) is refunded to where you paid from ({channel}): "
        "{cause}. It arrives by {arrives_by} at the latest."
    ),
    WITHDRAWN_UNPAID: (
        "Application {reference} ({matter}) was withdrawn: its fees of ¥{amount} were not paid within "
        "{days} days. Apply again when you are ready to pay."
    ),
}
SMS: dict[str, str] = {
    PAYMENT_DUE: "[onewindow] Application {reference} ({matter}): please pay ¥{amount} in the app by {due}.",
    REFUNDED: "[onewindow] Application {reference} ({matter}): ¥{amount} refunded ({cause}), arriving by {arrives_by}.",
    WITHDRAWN_UNPAID: "[onewindow] Application {reference} ({matter}) was withdrawn: its fees were not paid.",
}
CAUSES: dict[str, str] = {
    "refused": "the application was not approved",
    "closed": "the payment came after the order was closed",
    "requested": "refunded by the department",
    "duplicate": "the order was paid twice, and the second payment goes back",
}
# The channel a refund goes back through (older notices stored none: they were Alipay's).
CHANNELS: dict[str, str] = {"alipay": "Alipay", "wechatpay": "WeChat Pay"}
TEXTS: dict[str, str] = {
    **{f"notice.{k}": v for k, v in NOTICES.items()},
    **{f"sms.{k}": v for k, v in SMS.items()},
    **{f"cause.{k}": v for k, v in CAUSES.items()},
    **{f"channel.{k}": v for k, v in CHANNELS.items()},
}


def render(messages: Catalogs, locale: Locale, kind: str, params: dict[str, Any]) -> str:
    """A money notice's text in `locale`."""
    return messages.gettext(locale, NOTICES[kind], **localized(messages, locale, params))


def localized(messages: Catalogs, locale: Locale, params: dict[str, Any]) -> dict[str, Any]:
    """A notice's stored params with the matter's name and the refund's cause in `locale`."""
    matter = params.get("matter") or {}
    name = (matter.get(locale.value) or matter.get("zh-Hans", "")) if isinstance(matter, dict) else str(matter)
    localized = {**params, "matter": name}
    if "cause" in params:
        localized["cause"] = messages.gettext(locale, CAUSES[params["cause"]])
        localized["channel"] = messages.gettext(locale, CHANNELS.get(params.get("channel") or "", "Alipay"))
    return localized
