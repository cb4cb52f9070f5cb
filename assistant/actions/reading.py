"""Reading a message for what the conversation needs, whatever intent the model gave it.

The NLU model says what a message is most like; these word lists decide the cases where being wrong
costs the conversation: a follow-up question that names no matter (it is about the matter in hand),
"apply now", a question about the citizen's own case, a vague word that needs a question back, and a
"yes" or "bye" that is really a request. Each list is written for the three ways citizens write:
Mandarin in simplified characters, Cantonese and Mandarin in traditional ones, and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.facts import facts_in
from actions.matching import matter_words


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# What a follow-up asks about the matter in hand (longer phrases first where they overlap).
TOPICS: dict[str, re.Pattern[str]] = {
    "online": _any(
        r"网上|網上|线上|綫上|線上|手机上|手機上|网办|網辦|app上|掌上|不用跑|唔使去|唔使親身|唔使過去|不用去|亲自去|親自去|亲自到|親自到|上门|跑一趟|跑几次|跑幾次|要不要去|使唔使去|不想跑|唔想去|少跑|免跑|自助机|自助機",
        r"\b(online|on the internet|on my phone|in the app|in person|without going|do i have to go|need to go|have to visit|visit (the )?(office|hall)|trips?)\b",
    ),
    "fee": _any(
        r"多少钱|多少錢|几多钱|幾多錢|幾多銀|几钱|幾錢|收费|收費|收钱|收錢|收唔收|收不收|费用|費用|价钱|價錢|價格|价格|要钱|要錢|免费|免費|贵不贵|貴唔貴|贵吗|貴嗎|工本费|工本費|花多少|使幾多|使唔使錢|花钱|花錢|交钱|交錢|付钱|付錢|俾錢|畀钱|收唔收|交多少|付多少|俾幾多|畀幾多|使唔使錢",
        r"\b(how much|costs?|fees?|price|charges?|free|expensive|pay anything|money does it|pay for (it|this|that)|need (money|to pay)|any charges?)\b",
    ),
    "duration": _any(
        r"多久|多长时间|多長時間|几天|幾天|幾耐|几耐|几个月|幾個月|一个月|一個月|多少天|幾多日|几多日|幾多天|几多天|几多个工作日|幾多個工作日|几个工作日|幾個工作日|工作日|几时|幾時|什么时候|甚麼時候|啥时候|啥時候|截止|幾時先|等多久|要等|快不快|快唔快|几日|幾日|拿证|攞證|出证|出證|下证|下證|拿到|攞到|下来|下來|办下来|辦落",
        r"\b(how long( does it| will it| would it)?( take)?|how many (days|weeks)|when (will|can|do|would) i (get|have|receive)|take long|takes|processing time|wait|waiting|quick(ly)?|fast|soon|days|weeks|deadline|(for|get|until) (approval|approved)|when (does|do|is|will) (it|the \w+|they))\b",
    ),
    "location": _any(
        r"哪里办|哪裡辦|在哪|去哪|哪办|哪辦|哪里|哪裡|哪儿|哪兒|边度|邊度|喺邊|去边|去邊|边间|邊間|地址|地点|地點|大厅|大廳|窗口|服务中心|服務中心|开门|開門|开放|開放|几点|幾點|营业|營業|上班时间|办公时间|辦公時間|周六|週六|周日|週日|星期六|星期日|礼拜六|禮拜六|周末|週末|附近|近啲|最近的|哪个区|邊個區|返戶籍地|返户籍地|回户籍地|回戶籍地|户籍地办|戶籍地辦|回老家办|返鄉下",
        r"\b(where|address|offices?|opening|open (on|at|till|until|today|tomorrow)|is it open|are they open|hours|saturdays?|sundays?|weekends?|which hall|nearest|near me|location|counter|closes?|what time)\b",
    ),
    "steps": _any(
        r"(还有|還有|仲有|其他|另外)(啥|什么|什麼|甚麼|咩|乜|哪些|边啲|邊啲)?(手续|手續|要办|要辦|事要办|嘢要辦)|后面|後面|接下来|接下來|接落嚟|下一步",
        r"\b(what else|next steps?|other (things|steps)|anything else (to do|i need to do)|what comes next)\b",
    ),
    "materials": _any(
        r"(要|需要|须|須)?(带|帶|拎|准备|準備|交)(啲|些|什么|什麼|甚麼|啥|咩|乜)?(东西|東西|嘢|野)",
        r"(带|帶|拎|攞|拿|准备|準備|提交|提供|交|备|備)(点|點|些|啲|D)?(些|啲|哪些|什么|什麼|甚麼|咩|啥|乜嘢|乜|咩嘢)",
        r"(要|需要|须|須)(带|帶|拎|准备|準備)",
        r"(使唔使|要不要|要唔要|需唔需要|需不需要|是不是要|是否要|用不用|用唔用)(交|带|帶|拎|拿|攞|提供|出示|準備|准备)(?!钱|錢)",
        r"^\s*(documents?|papers?|docs)\s*[?？]+\s*$|^\s*(材料|文件|證件|证件)\s*[?？]+\s*$",
        r"材料|资料|資料|文件|原件|复印件|複印件|照片|相片|證明文件|带啥|帶咩|要啲咩|要咩|要乜|需要什么|需要啥|需要甚麼|需要什麼|要什么|要啥|要甚麼|要什麼",
        r"\b((what|wat|wht|which) (documents?|papers?|materials?|docs)|documents? (do )?i need|paperwork|bring|materials?|what do i need|what is needed|what's needed|requirements?|need to (show|provide|take))\b",
    ),
}
FOLLOW_UP_TOPICS = frozenset(TOPICS)

# "Do it for me now": hand over a draft of the current matter or bundle.
APPLY = _any(
    r"(帮我|幫我|给我|畀我|俾我|替我)(现在|現在|马上|馬上|即刻|立即|直接)?(就)?(一起|一齊)?(办|辦|申请|申請|搞|整|弄|报|報|填)(?!证明|證明)",
    r"(现在|現在|马上|馬上|即刻|立即|立刻|直接)(就)?(帮我|幫我|同我)?(办|辦|申请|申請|開始|开始|填)",
    r"^(我)?(想|要)(现在|現在)?(就)?(申请|申請|办理|辦理)(一下|吧|啦|喇)?[。！!.]*$",
    r"开始申请|開始申請|开始办|開始辦|去申请|去申請|填表|填表格|一起办了|一齊辦|一起帮我|一齊幫我",
    r"(帮我|幫我|替我|同我)(先)?(把|將|将)?(这个|這個|佢|表|表格|申請表|申请表)?(填|提交|递交|遞交|交上)|(開|开)(張|张|个|個)(申請表|申请表)",
    r"(填|開|开|起|建|整)(一)?(个|個|張|张|份)?(表|表格|草稿|申請|申请)(?!人)|直接(申请|申請|提交|办|辦)|(帮|幫)我(起|开|開|整)(个|個|份)?草稿",
    r"\b(apply now|apply for (it|this|that)|(i'?d|i would|i) (like|want) to apply|let'?s apply|start (the |my |an )?application|sign me up|do it now|go ahead|fill (in|out) (the |a )?form|fill (the |a )?form|(make|start|create|open) (the |a |an |my )?(application|draft)|draft it|fill (it|this) (in|out)|i'?ll apply|apply (pls|please)|apply$|submit (it|this)|apply for (the whole thing|all|everything|both)|^start it|start it (now|for me))",
)

# Asking for it to be done, not asking about it: wins over a question in the same message ("填表要多久"
# asks how long; "帮我填表，要多久" asks for the draft).
STRONG_APPLY = _any(
    r"帮我|幫我|替我|同我|即刻|马上|馬上|现在就|現在就|直接|立即", r"\b(apply now|do it now|go ahead|draft it|for me)\b"
)

# Questions about the citizen's own applications (answered only when signed in).
CASES: dict[str, re.Pattern[str]] = {
    "refusal": _any(
        r"(为什么|為什麼|为啥|為啥|怎么|怎麼|點解|点解|咋).{0,8}(没批|沒批|不批|唔批|未批|退回|退咗|退了|驳回|駁回|拒|不通过|不通過|唔通過|不予)",
        r"俾人退|畀人退|被退回|被驳回|被駁回|被拒|驳回原因|駁回原因|退回原因|不予受理|不予许可|不予許可|没通过|沒通過|唔通過|唔批",
        r"\b(reject(ed|ion)?|refus(ed|al)|turned down|declined|denied|not approved|why (was|is) (it|my))\b",
    ),
    "supplement": _any(
        r"补正|補正|补什么|補什麼|补啥|補啥|补乜|補乜|補咩|补咩|補啲|补啲|补交|補交|补充材料|補充材料|补件|補件|补齐|補齊",
        r"(要我|叫我|让我|讓我)(补|補)(?!办|辦|領|领|发|發|返|换|換)|(仲有|还有|還有).{0,4}(要|要我)(补|補)(?!办|辦|領|领|发|發|返|换|換)",
        r"(要|需要|还要|還要|仲要)(补|補)(材料|资料|資料|文件|嘢|啲嘢|哪些|什么|什麼|咩|乜|啥)|補返啲(嘢|文件|資料|材料)|补回",
        r"\b(what else (i|do i) (must|need to|have to) (upload|send|add)|(must|need to|have to) upload|supplement|what do they want me to (add|send|provide|do)|add (more|what|anything)|missing (document|material|paper)s?|more documents|resubmit|asked me (for|to add))\b",
    ),
    "refund": _any(
        r"(费用|費用|钱|錢|款|费|費).{0,6}(退回|退咗|退了|退返|退番)|退费|退費|退钱|退錢|能退吗|能退嗎|可以退(?!休|役|伍|学|學|保|出)|退唔退(?!休)|退不退(?!休)|退返|退了没|退了沒|退咗未|到账了|到賬未|钱.{0,4}退(?!休|役)|錢.{0,4}退(?!休|役)",
        r"\b(my refund|the refund|refund (status|yet|come|came|arrived?|back|done)|refunded|money back|get (my|the) money back|paid back)\b",
    ),
    "due": _any(
        r"(还有|還有|仲有|有没有|有沒有|有冇|有無|啲).{0,6}(?<!多少)(要交|要付|要俾|要畀|未交|未付|欠(?!薪|款|债|債)|俾錢|畀錢|交钱|交錢)",
        r"待缴|待繳|欠费|欠費|未缴|未繳|要交的钱|要交嘅錢|要付的钱|要缴的|要繳的",
        r"\b(anything (left |still )?to pay|do i (still )?(have|owe|need) to pay(?! for)|i owe|outstanding|anything due|unpaid|have to pay anything|anything to pay|what do i (still )?have to pay)\b",
    ),
    "progress": _any(
        r"我的申请|我的申請|我嘅申請|我个申请|我個申請|我份(申請|申请|嘢|野|文件|件)|我嗰份|我那份|我的办件|我的辦件|我啲申請|我的件|嗰單|那单|那份申请|那个申请|那個申請",
        r"申请了|申請咗|申请的|提交了|交咗|交嗰份|办件|辦件|进度|進度|审批到|審批到|审批进度|審批進度|审批结果|審批結果|批了没|批了沒|批了吗|批咗未|批咗冇|批准了|受理了|到哪一步|到哪步|到哪了|到哪里了|去到邊|去到边|搞成點|搞成点|點樣了|怎么样了|怎麼樣了|有结果|有結果|结果出|結果出|办好了没|辦好了沒|好咗未|好了没|拿到没|攞到未|(查下|查一下|查查|睇下|看看)我(的|嘅|啲)?(申请|申請|办件|辦件|件|嘢)|审得|審得|审核得|審核得|审到|審到|而家點|而家点|现在怎样了|現在怎樣了|咋样了|咋樣了|怎么样啦",
        r"(补材料|補材料|补交|補交|补正|補正|我有笔|我有筆|我交|我申请|我申請|我嘅|我的).{0,12}(截止|最晚|限期|期限|幾時之前|几时之前|哪天之前|哪天交|邊日)|(截止|最晚|限期|期限).{0,8}(补|補|交费|交費|俾錢)",
        r"\b(deadline|due date|by when|when do i have to (send|pay|submit|add|upload)|when must i)\b.{0,40}\b(my|missing|docs?|documents?|supplement|fee|pay)|\b(my|missing)\b.{0,40}\b(deadline|due)\b",
        r"\b(my\b.{0,30}\bapplication|what'?s happening with my|where are my|how are my)\b",
        r"\b(my (other |own |last )?applications?|applied|status|progress|approved|any news|heard back|submitted|where is my|how is my|what happened to my|is it ready|ready yet)\b",
    ),
}
CASE_ORDER = ("refusal", "supplement", "refund", "due", "progress")

# Words that name a kind of thing without naming which: "a certificate", "补办", "牌".
GENERIC = _any(
    r"证件|證件|证明|證明|执照|執照|牌照|许可证|許可證|许可|許可|资格|資格|手续|手續|登记|登記|申请|申請|办证|辦證|补办|補辦|补领|補領|补返|補返|更换|更換|换证|換證|证|證|牌|卡|补|補|换|換|办|辦|本",
    r"\b(licen[cs]es?|permits?|certificates?|cards?|documents?|papers?|registrations?|ids?|forms?|replacements?|renewals?|applications?)\b",
)
_FILLER = _any(
    r"我想|我要|想要|需要|请问|請問|帮我|幫我|一下|一个|一個|個|个|张|張|份|啲|些|的|嘅|呢|吗|嗎|啊|呀|吖|喇|啦|咗|返|搞|整|弄|想|要|我|嗰|那|這|这|呢個",
    r"\b(i|i'd|i'm|me|my|a|an|the|some|need|want|would|like|to|get|apply|for|new|please|pls|help|with|do|can|you|how|what|about|one|so|much|very|lot|again|all|really|great)\b",
)
# What a follow-up says around its question that names nothing ("那个", "一共", "听说", "then").
_FOLLOW = _any(
    r"一共|总共|總共|全部|大概|大约|大約|听说|聽講|聽說|那个|那個|嗰個|嗰个|这个|這個|呢個|那么|那麼|咁|还有|還有|仲有|能不能|可不可以|可唔可以|可以|能在|能|有没有|有冇|有沒有|有没|有沒|有無|啲咩|咩|那边|嗰邊|一般|每次|一次|什么|什麼|甚麼|啥|乜|办完|辦完|办好|辦好|办下来|辦落|搞掂|弄|搞|整|不|唔|吧|啊|呀|後面|后面|那|这|這|就|都|也|先|呢|去|来|來|嚟|顺便|順便|问下|問下|一起|一齊|一块|一塊",
    r"\b(now|then|and|also|it|that|this|these|those|what about|so|ok|okay|still|just|really|there|here|take|takes|after|before|usually|normally)\b",
)
# The city's districts: in a question about where to go they say which hall, not which matter (the
# search would otherwise answer a district's own copy of some matter).
DISTRICTS = _any(
    r"(荔湾|荔灣|越秀|海珠|天河|白云|白雲|黄埔|黃埔|番禺|花都|南沙|从化|從化|增城)(区|區|那边|那邊|嗰邊|附近)?",
    r"\b(liwan|yuexiu|haizhu|tianhe|baiyun|huangpu|panyu|huadu|nansha|conghua|zengcheng)( district)?\b",
)
# Around a question of where and when: "open", "office", "上班" say nothing of the matter.
_HOURS = _any(r"上班|返工|开工|開工|办公|辦公", r"\b(open|opened|office|which|hall|weekend|work(ing)?)\b")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")
_WORDS = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{3,}")

# Small talk is small talk only when nothing else is said.
# Small talk, by what it says (the first kind found answers): thanks before goodbye before no before yes.
SMALL_TALK_KINDS: dict[str, re.Pattern[str]] = {
    "thanks": _any(
        r"谢谢|謝謝|多谢|多謝|谢了|謝了|谢啦|謝啦|唔该|唔該|感谢|感謝|辛苦了|麻烦了|麻煩晒",
        r"\b(thanks?|thank you|thx|cheers|ta)\b",
    ),
    "goodbye": _any(
        r"再见|再見|拜拜|拜|88|回头见|下次再|先这样|先咁|就这样|就咁",
        r"\b(bye|goodbye|see you|that'?s all|that is all)\b",
    ),
    "deny": _any(
        r"不用了|不用|唔使|唔係|不是|不要|算了|没有|沒有|冇|没事了|沒事了|冇嘢喇|冇事喇|没了|冇喇|唔要|取消",
        r"\b(no|nope|not now|never ?mind|forget it|cancel|no thanks|nothing)\b",
    ),
    "affirm": _any(
        r"好的|好啊|好呀|好|是的|是|对|對|嗯|係|系|冇問題|没问题|沒問題|可以|行|知道了|明白|收到|得喇|得啦|好喇|OK",
        r"\b(yes|yeah|yep|sure|ok|okay|got it|great|good|fine|cool|alright|noted)\b",
    ),
    "greet": _any(r"你好|您好|哈囉|哈喽|喂|在吗|在嗎|早晨|早上好|晚上好", r"\b(hi|hello|hey|morning|evening)\b"),
}
SMALL_TALK = _any(*(p.pattern for p in SMALL_TALK_KINDS.values()))
# "2", "第二个", "the second one": one of the choices on screen.
_ORDINALS = {"一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "first": 1, "second": 2, "third": 3}
_ORDINALS |= {"fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_ORDINALS |= {str(n): n for n in range(1, 6)}
ORDINAL = _any(
    r"第\s*([一二两兩三四五1-5])\s*(个|個|项|項|种|種|条|條|样|樣)?",
    r"^\s*([1-5])\s*[.。、)）]?\s*$",
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\b(?:\s+(?:one|option|choice))?",
)
# Paying, not asking what it costs: "我要交钱", "pay my passport fee" (what is due, when nothing is in hand).
PAYING = _any(
    r"^(我)?(要|想)?(交钱|交錢|付款|缴费|繳費|付钱|付錢|俾錢|畀錢|畀钱|支付|交费|交費)",
    r"\b(pay (my|the|this|that) \w+|pay now|make a payment|how (do|can) i pay|i (want|need) to pay|where (do|can) i pay)\b",
)
_HOW_MUCH = _any(r"多少|幾多|几多|幾錢|几钱|收唔收|收不收|吗|嗎|不$|唔$", r"\b(how much|cost|free|do i have to)\b")
# Asking for everything a situation needs ("要办哪些手续", "what do we have to do"): a life event, rather
# than the one step of it that happens to rank first.
ALL_STEPS = _any(
    r"手续|手續|流程|要办什么|要辦甚麼|要辦什麼|要办哪些|要辦哪些|要办啥|要辦咩|有什么要办|有咩要辦|一次性|一次过|一次過|一起办|一齊辦|一块儿|一塊兒|全部|所有|一条龙|一條龍|一路|整个流程|整個流程|[^、，,\s]{2,}、[^、，,\s]{2,}",
    r"\b(what do (i|we) (need|have) to do|what (needs|has) to be done|procedures?|all at once|everything|where do i start|what are the steps|steps)\b",
)
PERSON = _any(
    r"转人工|轉人工|人工客服|人工服务|人工服務|找人工|要人工|真人|客服|转接|轉接|接线员|接線員|打电话|打電話|热线|熱線|12345",
    r"\b(person|human|agent|operator|hotline|call)\b",
)


@dataclass(frozen=True)
class Reading:
    """What a message says, as far as the conversation is concerned."""

    topics: tuple[str, ...]  # follow-up questions it asks (materials, fee, duration, location, online)
    apply: bool  # asks to start the application now
    cases: tuple[str, ...]  # questions about the citizen's own applications
    words: str  # what is left that may name a matter ("" when it names none)
    vague: bool  # only generic words ("证件", "a permit"): ask which
    small_talk: str | None  # nothing but a greeting, thanks, yes, no or goodbye: which
    person: bool  # asks for a person
    paying: bool  # wants to pay (not: what does it cost)
    ordinal: int | None = None  # "第二个", "2", "the second one": the nth of the choices on screen
    material_words: str = ""  # the words of the clause that asks what to bring ("要拿出生证过去")
    facts: dict[str, str] = field(default_factory=dict)


def _strip(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(" ", text)


def _meaningful(text: str) -> bool:
    return bool(_MEANINGFUL.search(re.sub(r"[\s\W_\d]+", " ", text)))


def read(text: str) -> Reading:
    """Read a citizen's message (not a button payload)."""
    topics = tuple(name for name, pattern in TOPICS.items() if pattern.search(text))
    cases = tuple(name for name in CASE_ORDER if CASES[name].search(text))
    apply = bool(APPLY.search(text.strip())) and (not topics or bool(STRONG_APPLY.search(text)))
    ordinal = ORDINAL.search(text)
    rest = _strip(ORDINAL, text)
    for pattern in [*TOPICS.values(), *(CASES[c] for c in cases), APPLY]:
        rest = _strip(pattern, rest)
    if "location" in topics or "duration" in topics:  # "when does it open", "open on Saturday?"
        rest = _strip(DISTRICTS, _strip(_HOURS, rest))
    words = matter_words(_strip(_FOLLOW, rest))
    if topics and not _WORDS.search(_strip(_FILLER, _strip(GENERIC, words))):
        words = ""  # "申請得唔得": a follow-up whose only other words are generic names no matter
    leftover = _strip(_FILLER, _strip(GENERIC, words or rest))
    vague = bool(GENERIC.search(text)) and not _meaningful(leftover) and not topics and not cases
    chatter = _strip(SMALL_TALK, text)
    small_talk = bool(SMALL_TALK.search(text)) and not _WORDS.search(_strip(_FILLER, chatter)) and not vague
    kind = next((k for k, pattern in SMALL_TALK_KINDS.items() if pattern.search(text)), None) if small_talk else None
    return Reading(
        topics=topics,
        apply=apply,
        cases=cases,
        words="" if vague or small_talk else words,
        vague=vague,
        small_talk=kind,
        person=bool(PERSON.search(text)),
        paying=bool(PAYING.search(text)) and not _HOW_MUCH.search(text),
        facts=facts_in(text),
        ordinal=_ORDINALS.get(next(g for g in ordinal.groups() if g).lower()) if ordinal else None,
        material_words=_clause_words(text, TOPICS["materials"]) if "materials" in topics else "",
    )


def _clause_words(text: str, pattern: re.Pattern[str]) -> str:
    """The words naming something in the clause where `pattern` is ("身份证丢了，要带啥": none)."""
    for clause in re.split(r"[，,。；;！!？?]+", text):
        if pattern.search(clause):
            return matter_words(_strip(_FOLLOW, _strip(pattern, clause)))
    return ""
