"""What the assistant says to hold a conversation: asking back, drafts, and the citizen's own cases.

Kept apart from texts.py (the catalog answers' frame) so each file stays short; `say` reads both.
"""

from __future__ import annotations

CONVERSATION_TEXTS: dict[str, dict[str, str]] = {
    "hall_no_saturday": {"zh-Hans": "，周六不开放", "zh-Hant": "，週六不開放", "en": ", closed on Saturday"},
    "online_partly": {
        "zh-Hans": "{name}可以在网上申请，但最多还要到现场{trips}次（比如核验原件或领取证件）。",
        "zh-Hant": "{name}可以在網上申請，但最多還要到現場{trips}次（例如核驗正本或領取證件）。",
        "en": "You can apply for {name} online, but you may still need {trips} visit(s) in person (to show originals or collect it).",
    },
    "online_no": {
        "zh-Hans": "{name}暂不能网上申请，需要到现场办理（最多跑{trips}次）：",
        "zh-Hant": "{name}暫不能網上申請，需要到現場辦理（最多跑{trips}次）：",
        "en": "{name} cannot be applied for online yet; you apply in person (at most {trips} visit(s)):",
    },
    "clarify_vague": {
        "zh-Hans": "能说得具体一点吗？您想办的是下面哪一个？点一下就行，也可以直接告诉我名称。",
        "zh-Hant": "可以講具體啲嗎？您想辦的是下面哪一個？點一下就可以，也可以直接告訴我名稱。",
        "en": "Could you tell me a bit more? Which of these do you mean? Tap one, or tell me its name.",
    },
    "clarify_first": {
        "zh-Hans": "先告诉我是哪一个，我马上回答您的问题：",
        "zh-Hant": "先告訴我是哪一個，我馬上回答您的問題：",
        "en": "Tell me which one first, and I'll answer your question right away:",
    },
    "clarify_apply": {
        "zh-Hans": "您要申请哪一个？点一下，我为您创建预填好的申请草稿：",
        "zh-Hant": "您要申請哪一個？點一下，我為您建立預填好的申請草稿：",
        "en": "Which one would you like to apply for? Tap it and I'll start a pre-filled draft:",
    },
    "clarify_in_hand": {
        "zh-Hans": "您问的是刚才这个事项，还是下面其他的？点一下我接着回答：",
        "zh-Hant": "您問的是剛才這個事項，還是下面其他的？點一下我接着回答：",
        "en": "Do you mean the service we were talking about, or one of these? Tap one and I'll go on:",
    },
    "assumed": {
        "zh-Hans": "先按“{name}”为您回答；如果您问的是别的，点下方的事项：",
        "zh-Hant": "先按「{name}」為您回答；如果您問的是別的，點下方的事項：",
        "en": "Here is the answer for {name}; if you meant another one, tap it below:",
    },
    "about": {
        "zh-Hans": "关于{name}，我可以告诉您要带的材料、收费、办理时限、办理地点，也可以为您创建预填好的申请草稿。",
        "zh-Hant": "關於{name}，我可以告訴您要帶的材料、收費、辦理時限、辦理地點，也可以為您建立預填好的申請草稿。",
        "en": "About {name}: I can tell you what to bring, the fees, how long it takes and where to go, or start a pre-filled draft for you.",
    },
    "fee_of_step": {"zh-Hans": "{fee}（{step}）", "zh-Hant": "{fee}（{step}）", "en": "{fee} ({step})"},
    "steps_bundle": {
        "zh-Hans": "{name}一共包括{count}个事项：",
        "zh-Hant": "{name}一共包括{count}個事項：",
        "en": "{name} covers {count} services:",
    },
    "steps_one_form": {
        "zh-Hans": "一张表就能一起申请，共用的材料只交一次。",
        "zh-Hant": "一張表就可以一齊申請，共用的材料只交一次。",
        "en": "You apply for all of them with one form, and shared documents are sent once.",
    },
    "sign_in_then_choose": {
        "zh-Hans": "请先在应用里登录，再告诉我要申请哪一个，我为您创建预填好的申请草稿。",
        "zh-Hant": "請先在應用程式裡登入，再告訴我要申請哪一個，我為您建立預填好的申請草稿。",
        "en": "Please sign in to the app first, then tell me which one to apply for and I'll start a pre-filled draft.",
    },
    "draft_saved": {
        "zh-Hans": "已为您保存“{name}”的申请草稿（还没有提交）。点下方卡片打开，表单已按您的档案和电子证照预填，核对无误后由您提交。",
        "zh-Hant": "已為您儲存「{name}」的申請草稿（還沒有提交）。點下方卡片打開，表格已按您的檔案和電子證照預填，核對無誤後由您提交。",
        "en": "I've saved a draft application for {name} (nothing is submitted). Tap the card below to open it: it is filled in from your profile and e-certificates; check it and submit it yourself.",
    },
    "sign_in_to_apply": {
        "zh-Hans": "请先在应用里登录，我再为您创建“{name}”的预填申请草稿。",
        "zh-Hant": "請先在應用程式裡登入，我再為您建立「{name}」的預填申請草稿。",
        "en": "Please sign in to the app first, then I can start a pre-filled draft of {name} for you.",
    },
    "which_to_apply": {
        "zh-Hans": "您想申请哪个事项？告诉我名称，我为您创建预填好的申请草稿。",
        "zh-Hant": "您想申請哪個事項？告訴我名稱，我為您建立預填好的申請草稿。",
        "en": "Which service would you like to apply for? Tell me its name and I'll start a pre-filled draft.",
    },
    "button_apply": {"zh-Hans": "现在申请", "zh-Hant": "現在申請", "en": "Apply now"},
    "button_online": {"zh-Hans": "能网上办吗", "zh-Hant": "可以網上辦嗎", "en": "Can I do it online"},
    "case_refused": {
        "zh-Hans": "{name}（{reference}）：{status}。原因：{reason}",
        "zh-Hant": "{name}（{reference}）：{status}。原因：{reason}",
        "en": "{name} ({reference}): {status}. The reason given: {reason}",
    },
    "case_refused_no_reason": {
        "zh-Hans": "{name}（{reference}）：{status}。部门没有写明原因，可拨打{hotline}咨询。",
        "zh-Hant": "{name}（{reference}）：{status}。部門沒有寫明原因，可致電{hotline}查詢。",
        "en": "{name} ({reference}): {status}. No reason was written down; you can ask the {hotline} hotline.",
    },
    "case_none_refused": {
        "zh-Hans": "您的申请没有被驳回的：",
        "zh-Hant": "您的申請沒有被駁回的：",
        "en": "None of your applications was rejected:",
    },
    "case_supplement": {
        "zh-Hans": "{name}（{reference}）需要补正：{reason}",
        "zh-Hant": "{name}（{reference}）需要補正：{reason}",
        "en": "{name} ({reference}) needs a supplement: {reason}",
    },
    "case_supplement_items": {
        "zh-Hans": "需补充：{items}。请在“我的办件”中打开该申请补交。",
        "zh-Hant": "需補充：{items}。請在「我的辦件」中打開該申請補交。",
        "en": 'To add: {items}. Open it under "My applications" to send them.',
    },
    "case_supplement_how": {
        "zh-Hans": "请在“我的办件”中打开该申请补交。",
        "zh-Hant": "請在「我的辦件」中打開該申請補交。",
        "en": 'Open it under "My applications" to send what is missing.',
    },
    "case_none_supplement": {
        "zh-Hans": "您目前没有需要补正的申请：",
        "zh-Hant": "您目前沒有需要補正的申請：",
        "en": "None of your applications is waiting for a supplement:",
    },
    "case_refund": {
        "zh-Hans": "{name}（{reference}）退款{amount}元：{status}",
        "zh-Hant": "{name}（{reference}）退款{amount}元：{status}",
        "en": "{name} ({reference}): refund of ¥{amount}, {status}",
    },
    "case_none_refund": {
        "zh-Hans": "您的申请目前没有退款记录：",
        "zh-Hant": "您的申請目前沒有退款記錄：",
        "en": "There is no refund on your applications:",
    },
}
