"""Deciding WHICH matter a message is about, from the backend's search results.

The search ranks thousands of matters; the assistant still has to decide whether the best result is
clearly the one (answer it), whether the top results are close (ask, with buttons), or whether the
message names no matter at all (a follow-up question about the matter already discussed).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from actions.backend import Hit

CONFIDENT = 1.5  # below this the best result is a guess
PLAUSIBLE = 0.6  # below this a result is noise (a long message spreads its score: 0.9 can be right)
CLEAR_LEAD = 1.3  # the best result is "clearly" it when it scores this many times the second
ALSO = 0.6  # other results offered beside a clear answer score at least this share of the best

# The words of a question about a matter, not the matter itself: removed before searching, so that
# "how much does it cost?" does not find the matters whose names mention costs.
_QUESTION = re.compile(
    "|".join(
        [
            # materials (longer phrases first: an alternation takes the first that matches)
            r"(需要|要|得|应该|應該|须|須)?(准备|準備|带|帶|交|提交|提供|攞|拎)?(些|啲|哪些|什么|什麼|甚麼|咩|啥|乜嘢|乜)"
            r"(材料|资料|資料|文件|证件|證件|东西|東西|嘢)",
            r"材料",
            r"\b(what (documents?|papers?|materials?)|what do i (need|have) to bring|which documents?|paperwork"
            r"|what do i need|what should i bring|bring)\b",
            # fees
            r"(要|需要|收)?(多少|幾多|几多)(钱|錢|费用|費用|銀|银)|收唔收錢|收不收费|收费|收費|费用|費用|价钱|價錢|几钱|幾錢|要钱|要錢",
            r"\b(how much( does it| is it| do i)?( cost| pay)?|costs?|fees?|price|charges?)\b",
            # paying
            r"交钱|交錢|缴费|繳費|付款|付钱|付錢|俾錢|畀钱|俾钱|畀錢|支付|交费|交費",
            r"\b(how do i pay|paying|payment|pay)\b",
            # duration
            r"(要|需要)?(多长时间|多長時間|多久|几天|幾天|幾耐|几耐|几时|幾時)(能|可以|先)?(办好|辦好|拿到|攞到|下来|下來|出|批)?",
            r"\b(how long( does it take| will it take)?|how many days|when will i get|processing time)\b",
            # location
            r"(去|到|喺|在)(哪里|哪裡|哪儿|邊度|边度|哪)(办理|辦理|办|辦|交|申请|申請)?|地址喺邊|地址在哪|营业时间|營業時間|几点|幾點",
            r"\b(where (do|can|should) i (go|apply|do it)|where is|where|office hours|opening hours)\b",
            # fluff
            r"请问|請問|你好|您好|想问下|想問下|想问|想問|我想知道|咨询|諮詢|一下|吗|嗎|呢|啊|呀|㗎|嘅|的|我|要"
            r"|办理|辦理|办|辦|怎么样|怎麼樣|怎么|怎麼|点样|點樣|如何",
            r"\b(please|hi|hello|hey|i|me|my|the|a|an|for|to|do|does|is|it|get|can|you|tell|about|need)\b",
        ]
    ),
    re.IGNORECASE,
)
_MEANINGFUL = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{3,}")


def matter_words(text: str) -> str:
    """What is left of a question once its question words are gone ("" when it names no matter)."""
    rest = _QUESTION.sub(" ", text)
    rest = re.sub(r"[\s\W_]+", " ", rest).strip()
    return rest if _MEANINGFUL.search(rest) else ""


class Choice:
    """What the search results mean for the conversation."""

    def __init__(self, answer: Hit | None, options: Sequence[Hit]) -> None:
        self.answer = answer  # the matter to answer with, when it is clear
        self.options = list(options)  # the results to offer (best first): the answer and a few more

    @property
    def found(self) -> bool:
        """Whether anything plausible was found."""
        return bool(self.options)


def choose(hits: Sequence[Hit]) -> Choice:
    """Answer, ask among close results, or nothing found."""
    plausible = [h for h in hits if h.score >= PLAUSIBLE]
    if not plausible:
        return Choice(None, [])
    best = plausible[0]
    second = plausible[1].score if len(plausible) > 1 else 0.0
    if best.score >= CONFIDENT and best.score >= CLEAR_LEAD * second:
        others = [h for h in plausible[1:3] if h.score >= ALSO * best.score]
        return Choice(best, [best, *others])
    return Choice(None, plausible[:3])


# What a question about an application ALREADY submitted says. Without any of it, a message the
# model read as "where is my application" is more likely a description of a situation (a service to find).
_PROGRESS = re.compile(
    r"我的申请|我嘅申請|我個申請|申请了|申請咗|申请的|申請的|提交了|交咗|办件|辦件|进度|進度|审批|審批|批了|批咗|批准|受理|"
    r"到哪|去到邊|结果|結果|办好了|辦好了|好了没|好咗未|状态|狀態|怎么样了|怎麼樣了|點樣了|拿到没|攞到未|"
    r"\b(my application|applied|status|progress|approved|update|submitted|processing|result|ready|where is my|how is my)",
    re.IGNORECASE,
)


def asks_about_progress(text: str) -> bool:
    """Whether a message speaks of an application's progress (not just of a situation)."""
    return bool(_PROGRESS.search(text))


def _tokens(text: str) -> set[str]:
    """Character pairs of Chinese and words of four letters or more: what two texts can share."""
    pairs = {a + b for run in re.findall(r"[\u4e00-\u9fff]+", text) for a, b in itertools.pairwise(run)}
    return pairs | {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def share_words(words: str, name: str) -> bool:
    """Whether a message's words and a matter's name have a word in common ("居住证" and "居住证签注")."""
    return bool(_tokens(words) & _tokens(name))
