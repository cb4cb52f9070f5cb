"""What a query or a matter's name asks for: document and query intents, the verbs of a service, and
words that look like an intent but are not."""

from __future__ import annotations

DOCUMENT_INTENTS: dict[str, tuple[str, str]] = {
    "replace": ("补领 补发 补办 挂失", "replacement replacing reissue"),
    "renew": ("换领 换发 换证 期满 续期 签注 延续", "renewal renewing endorsement expiry"),
    "cancel": ("注销 撤销", "cancellation cancelling deregistration"),
    "change": ("变更 更正", "change correction amendment"),
}
"""The words of a follow-up service's name, by what it does; a service without any issues the thing."""


QUERY_INTENTS: dict[str, tuple[str, str]] = {
    "replace": (
        "补领 补发 补办 补证 补返 补番 补翻 补张 补个 挂失 遗失 丢 唔见 不见了 被偷 掉了 跌咗 损坏 坏了 烂了 "
        "烂咗 整烂 整坏 坏咗 揾唔到 搵唔到 找不到了",
        "replacement replace reissue damaged broken missing misplaced stolen",
    ),
    "renew": (
        "换领 换发 换证 换新 换个 换张 换本 换卡 过期 到期 期满 续期 续签 续证 延期 年审 延续 签注",
        "renew expired expire expiring expiry outdated",
    ),
    "cancel": (
        "注销 销户 销掉 销埋 销咗 撤销 取消 关闭 关掉 关店 结业 倒闭 执笠 解除 解押 去掉 停业 不做了 "
        "不开了 不干了 唔做 唔开 执铺 执舖 收铺 收舖 收档 执档 关门",
        "cancel cancellation close closing deregister deregistration shut remove",
    ),
    "change": (
        "变更 更改 修改 改名 改地址 更正 错",
        "change update correct correction amend modify wrong mistake error incorrect misspelled",
    ),
    "first": ("首次 初次 第一次 头一次 新办 第一张", "first"),
}
"""Cue words of what a query wants done (Chinese, English): a replacement, a renewal, a cancellation, a
change, or a first issue."""


SERVICE_ACTIONS = "首次 初次 新办 再次 设立 申领 申请 签发 核发 登记 备案 办理 审批 确认 认定 许可 及 、"


ENGLISH_SERVICE_ACTIONS = (
    "registration register application apply issue issuing first new renewal renew replacement replace replacing "
    "cancellation cancelling deregistration change correction endorsement annual repeat approval approve filing claim "
    "recognition establish establishment simplified reporting loss lost expiry exchange"
)
"""What a service's name says it does besides its thing (see intent.thing), in Chinese and in English."""


NOT_INTENT_CUES = "报销 销售 营销 促销 开销 推销 经销 补贴 补助 补缴 补偿 补充 不错"
"""Words that contain a cue but are no intent (报销 is a reimbursement, not a cancellation)."""
