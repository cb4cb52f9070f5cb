"""Which words of a question name a matter, and when search results are clear enough to answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from actions.backend import Hit
from actions.matching import asks_about_progress, choose, matter_words


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("要带什么材料", ""),
        ("要多少钱", ""),
        ("多久能办好", ""),
        ("去哪里办", ""),
        ("how much does it cost?", ""),
        ("where do I go", ""),
        ("需要帶咩文件", ""),
        ("办护照要带什么材料", "护照"),
        ("居住证去哪里办", "居住证"),
        ("請問換駕照要幾多錢", "換駕照"),
        ("how long does a passport take", "passport take"),
        ("what documents do I need for a marriage registration", "marriage registration"),
    ],
)
def test_question_words_are_removed_and_the_matter_remains(question: str, words: str) -> None:
    assert matter_words(question) == words


def h(code: str, score: float) -> Hit:
    return Hit("matter", code, code, score)


def test_a_clear_lead_is_an_answer_with_close_runners_up_offered_beside_it() -> None:
    choice = choose([h("A", 3.0), h("B", 2.0), h("C", 1.2), h("D", 1.1)])  # C and D: plausible, not close
    assert choice.answer is not None and choice.answer.code == "A"
    assert [o.code for o in choice.options] == ["A", "B"]  # C is under 60% of A


def test_close_results_are_a_question() -> None:
    choice = choose([h("A", 2.6), h("B", 2.5), h("C", 1.5), h("D", 1.4)])
    assert choice.answer is None
    assert [o.code for o in choice.options] == ["A", "B", "C"]


def test_weak_results_are_nothing() -> None:
    assert not choose([h("A", 0.5), h("B", 0.4)]).found
    assert choose([h("A", 0.9)]).answer is None and choose([h("A", 0.9)]).found


@pytest.mark.parametrize(
    ("message", "progress"),
    [
        ("我的申请到哪一步了", True),
        ("is my passport ready", True),
        ("我的护照怎么样了", True),
        ("我想申请护照", False),
        ("我嘅申請批咗未", True),
        ("has my application been approved", True),
        ("我老豆上个月走咗，社保同公积金要点处理", False),
        ("moving to gz next month, my kid needs a school place", False),
    ],
)
def test_progress_questions_are_told_from_situations(message: str, progress: bool) -> None:
    assert asks_about_progress(message) is progress


def test_paying_words_name_no_matter() -> None:
    assert matter_words("我要交钱") == ""
    assert matter_words("how do I pay") == ""
    assert matter_words("自由职业者怎么自己交社保") != ""


CATALOG = Path(__file__).resolve().parents[2] / "backend" / "catalog" / "demo" / "matters.json"


def test_no_catalog_name_loses_its_meaning() -> None:
    """A citizen who types a matter's official name must be searched with (most of) that name."""
    damaged = []
    for matter in json.loads(CATALOG.read_text(encoding="utf-8")):
        for locale, name in matter["name"].items():
            kept = matter_words(name)
            wanted = len(re.sub(r"[\s\W_]", "", name))
            if len(re.sub(r"[\s\W_]", "", kept)) < 0.6 * wanted:
                damaged.append((locale, name, kept))
    assert damaged == []
