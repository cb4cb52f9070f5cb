"""What the assistant says, in Simplified Chinese, Traditional Chinese and English.

Only the frame is written here; the facts (names, materials, fees, days, halls) always come from the
catalog through the backend, in the same locale.
"""

from __future__ import annotations

from typing import Any

from actions.texts_conversation import CONVERSATION_TEXTS

LOCALES = ("zh-Hans", "zh-Hant", "en")
HOTLINE = "12345"

TEXTS: dict[str, dict[str, str]] = {
    "greet": {
        "zh-Hans": "您好！我是一网通办助手。告诉我您想办什么事，比如“办护照”或“孩子出生了要办什么”，我帮您找到事项并打开预填好的表单。",
        "zh-Hant": "您好！我是一網通辦助手。告訴我您想辦甚麼事，例如「辦護照」或「孩子出生了要辦甚麼」，我幫您找到事項並打開預填好的表格。",
        "en": 'Hello! I\'m the One Window assistant. Tell me what you need to do, like "get a passport" or "we just had a baby", and I\'ll find the service and open a pre-filled form for you.',
    },
    "goodbye": {
        "zh-Hans": "再见，祝您办事顺利！",
        "zh-Hant": "再見，祝您辦事順利！",
        "en": "Goodbye, and good luck with your application!",
    },
    "thanks": {
        "zh-Hans": "不客气！还有什么可以帮您？",
        "zh-Hant": "不客氣！還有甚麼可以幫您？",
        "en": "You're welcome! Anything else I can help with?",
    },
    "affirm": {
        "zh-Hans": "好的。您还可以问我所需材料、费用、办理时限或办理地点。",
        "zh-Hant": "好的。您還可以問我所需材料、費用、辦理時限或辦理地點。",
        "en": "OK. You can also ask me what to bring, what it costs, how long it takes or where to go.",
    },
    "deny": {
        "zh-Hans": "好的。还有其他需要帮忙的吗？",
        "zh-Hant": "好的。還有其他需要幫忙的嗎？",
        "en": "OK. Is there anything else I can help with?",
    },
    "found": {
        "zh-Hans": "为您找到：{name}（{department}）。{summary}",
        "zh-Hant": "為您找到：{name}（{department}）。{summary}",
        "en": "Here it is: {name} ({department}). {summary}",
    },
    "found_bundle": {
        "zh-Hans": "为您找到“一件事”：{name}，一张表办完{count}个事项。{summary}",
        "zh-Hant": "為您找到「一件事」：{name}，一張表辦完{count}個事項。{summary}",
        "en": "Here is the life event {name}: one form for {count} services. {summary}",
    },
    "open_form": {
        "zh-Hans": "点下方卡片打开已为您预填的表单。",
        "zh-Hant": "點下方卡片打開已為您預填的表格。",
        "en": "Tap the card below to open the form, already filled in for you.",
    },
    "clarify": {
        "zh-Hans": "您想办的是哪一项？",
        "zh-Hant": "您想辦的是哪一項？",
        "en": "Which one do you mean?",
    },
    "not_found": {
        "zh-Hans": "抱歉，我没找到相关事项。能换个说法吗？比如“换驾照”“开餐厅”“提取公积金”。",
        "zh-Hant": "抱歉，我沒找到相關事項。能換個說法嗎？例如「換駕照」「開餐廳」「提取公積金」。",
        "en": 'Sorry, I couldn\'t find that. Could you put it another way? For example "renew driving licence", "open a restaurant" or "withdraw housing fund".',
    },
    "which_matter": {
        "zh-Hans": "您问的是哪个事项？告诉我事项名称，比如“护照”或“居住证”。",
        "zh-Hant": "您問的是哪個事項？告訴我事項名稱，例如「護照」或「居住證」。",
        "en": 'Which service do you mean? Tell me its name, like "passport" or "residence permit".',
    },
    "materials_head": {
        "zh-Hans": "办理{name}需要准备：",
        "zh-Hant": "辦理{name}需要準備：",
        "en": "For {name} you need:",
    },
    "material_certificate": {
        "zh-Hans": "（电子证照自动调取，无需提交纸质件）",
        "zh-Hant": "（電子證照自動調取，無需提交紙本）",
        "en": " (taken from your e-certificate: no paper copy needed)",
    },
    "material_optional": {"zh-Hans": "（非必需）", "zh-Hant": "（非必需）", "en": " (if applicable)"},
    "materials_none": {
        "zh-Hans": "办理{name}无需提交材料。",
        "zh-Hant": "辦理{name}無需提交材料。",
        "en": "{name} needs no documents.",
    },
    "fee_free": {
        "zh-Hans": "{name}不收费。",
        "zh-Hant": "{name}不收費。",
        "en": "{name} is free of charge.",
    },
    "fee_head": {
        "zh-Hans": "{name}的收费：",
        "zh-Hant": "{name}的收費：",
        "en": "Fees for {name}:",
    },
    "fee_line": {"zh-Hans": "{name}：{amount}元", "zh-Hant": "{name}：{amount}元", "en": "{name}: ¥{amount}"},
    "fee_pay": {
        "zh-Hans": "提交后可在应用内用支付宝统一缴费，电子票据即时开具。",
        "zh-Hant": "提交後可在應用內用支付寶統一繳費，電子票據即時開具。",
        "en": "After you submit, you pay in the app with Alipay and get an electronic receipt at once.",
    },
    "duration_now": {
        "zh-Hans": "{name}即办：材料齐全当场办结。",
        "zh-Hant": "{name}即辦：材料齊全當場辦結。",
        "en": "{name} is done on the spot when your documents are complete.",
    },
    "duration_days": {
        "zh-Hans": "{name}承诺{promised}个工作日内办结（法定时限{legal}个工作日）。",
        "zh-Hant": "{name}承諾{promised}個工作日內辦結（法定時限{legal}個工作日）。",
        "en": "{name} is promised within {promised} working days (the legal limit is {legal}).",
    },
    "duration_instant": {
        "zh-Hans": "符合条件的可秒批，提交后立即出结果。",
        "zh-Hant": "符合條件的可秒批，提交後立即出結果。",
        "en": "If you meet the conditions it is approved instantly when you submit.",
    },
    "duration_bundle": {
        "zh-Hans": "{name}包含{count}个事项，最长承诺{promised}个工作日办结：",
        "zh-Hant": "{name}包含{count}個事項，最長承諾{promised}個工作日辦結：",
        "en": "{name} has {count} services; the longest is promised within {promised} working days:",
    },
    "duration_line": {
        "zh-Hans": "{name}：{promised}个工作日",
        "zh-Hant": "{name}：{promised}個工作日",
        "en": "{name}: {promised} working days",
    },
    "online_zero": {
        "zh-Hans": "{name}可全程网上办，一次都不用跑。",
        "zh-Hant": "{name}可全程網上辦，一次都不用跑。",
        "en": "{name} can be done entirely online: no visit needed.",
    },
    "trips": {
        "zh-Hans": "{name}最多需要跑{trips}次，可到以下大厅办理：",
        "zh-Hant": "{name}最多需要跑{trips}次，可到以下大廳辦理：",
        "en": "{name} needs at most {trips} visit(s); you can go to:",
    },
    "hall_line": {
        "zh-Hans": "{name}，{address}（工作日{weekdays}{saturday}）",
        "zh-Hant": "{name}，{address}（工作日{weekdays}{saturday}）",
        "en": "{name}, {address} (weekdays {weekdays}{saturday})",
    },
    "hall_saturday": {"zh-Hans": "，周六{hours}", "zh-Hant": "，週六{hours}", "en": ", Saturday {hours}"},
    "department_phone": {
        "zh-Hans": "咨询电话：{department} {phone}",
        "zh-Hant": "諮詢電話：{department} {phone}",
        "en": "Questions: {department}, {phone}",
    },
    "sign_in": {
        "zh-Hans": "请先在应用里登录，我才能查询您的办件。",
        "zh-Hant": "請先在應用程式裡登入，我才能查詢您的辦件。",
        "en": "Please sign in to the app first, then I can look up your applications.",
    },
    "no_applications": {
        "zh-Hans": "您还没有提交过申请。",
        "zh-Hant": "您還沒有提交過申請。",
        "en": "You have not submitted any applications yet.",
    },
    "applications_head": {
        "zh-Hans": "您最近的申请：",
        "zh-Hant": "您最近的申請：",
        "en": "Your latest applications:",
    },
    "application_line": {
        "zh-Hans": "{name}（{reference}）：{status}",
        "zh-Hant": "{name}（{reference}）：{status}",
        "en": "{name} ({reference}): {status}",
    },
    "application_deadline": {
        "zh-Hans": "，预计{deadline}前办结",
        "zh-Hant": "，預計{deadline}前辦結",
        "en": ", due by {deadline}",
    },
    "application_deadline_provisional": {
        "zh-Hans": "（暂按法定节假日推算，以正式放假安排为准）",
        "zh-Hant": "（暫按法定節假日推算，以正式放假安排為準）",
        "en": " (provisional: counted with the statutory holidays until the year's official calendar is out)",
    },
    "application_overdue": {
        "zh-Hans": "（已超期，已督办）",
        "zh-Hant": "（已超期，已督辦）",
        "en": " (overdue: escalated)",
    },
    "application_fee_due": {
        "zh-Hans": "，待缴费{amount}元",
        "zh-Hant": "，待繳費{amount}元",
        "en": ", ¥{amount} to pay",
    },
    "applications_more": {
        "zh-Hans": "更多办件请在“我的办件”中查看。",
        "zh-Hant": "更多辦件請在「我的辦件」中查看。",
        "en": 'See all of them under "My applications" in the app.',
    },
    "nothing_to_pay": {
        "zh-Hans": "您目前没有待缴的费用。",
        "zh-Hant": "您目前沒有待繳的費用。",
        "en": "You have nothing to pay at the moment.",
    },
    "to_pay_head": {
        "zh-Hans": "待缴费的申请（在“我的办件”中点“缴费”，用支付宝支付）：",
        "zh-Hant": "待繳費的申請（在「我的辦件」中點「繳費」，用支付寶支付）：",
        "en": 'Applications waiting for payment (open "My applications" and tap "Pay" to pay with Alipay):',
    },
    "to_pay_line": {
        "zh-Hans": "{name}（{reference}）：{amount}元",
        "zh-Hant": "{name}（{reference}）：{amount}元",
        "en": "{name} ({reference}): ¥{amount}",
    },
    "handoff": {
        "zh-Hans": "为您转人工服务：请拨打{hotline}政务服务便民热线（24小时），或在应用“我的”→“在线客服”留言，工作人员会尽快回复。",
        "zh-Hant": "為您轉人工服務：請致電{hotline}政務服務便民熱線（24小時），或在應用程式「我的」→「線上客服」留言，工作人員會盡快回覆。",
        "en": "Let me hand you over to a person: call the {hotline} government service hotline (24 hours), or leave a message under Me > Online help in the app and staff will reply soon.",
    },
    "cannot_help": {
        "zh-Hans": "抱歉，这个我帮不上忙。我可以帮您找办事事项，告诉您要带的材料、费用、时限和办理地点，或查询您的办件进度。",
        "zh-Hant": "抱歉，這個我幫不上忙。我可以幫您找辦事事項，告訴您要帶的材料、費用、時限和辦理地點，或查詢您的辦件進度。",
        "en": "Sorry, I can't help with that. I can find a government service for you, tell you what to bring, what it costs, how long it takes and where to go, or check your applications.",
    },
    "unavailable": {
        "zh-Hans": "系统暂时繁忙，请稍后再试，或拨打{hotline}热线。",
        "zh-Hant": "系統暫時繁忙，請稍後再試，或致電{hotline}熱線。",
        "en": "The service is busy right now. Please try again shortly, or call the {hotline} hotline.",
    },
    "button_materials": {"zh-Hans": "要带什么材料", "zh-Hant": "要帶甚麼材料", "en": "What to bring"},
    "button_fee": {"zh-Hans": "收费多少", "zh-Hant": "收費多少", "en": "Cost"},
    "button_duration": {"zh-Hans": "要多久", "zh-Hant": "要多久", "en": "How long"},
    "button_location": {"zh-Hans": "去哪里办", "zh-Hant": "去哪裡辦", "en": "Where to go"},
    "button_person": {"zh-Hans": "转人工", "zh-Hant": "轉人工", "en": "Talk to a person"},
}


TEXTS.update(CONVERSATION_TEXTS)


def locale_of(metadata: dict[str, Any] | None) -> str:
    """The conversation's locale from the message metadata the backend sends (Simplified Chinese when unknown)."""
    locale = str((metadata or {}).get("locale") or "")
    return locale if locale in LOCALES else "zh-Hans"


def say(key: str, locale: str, **values: Any) -> str:
    """A text in the locale, with values filled in."""
    return TEXTS[key][locale].format(hotline=HOTLINE, **values)
