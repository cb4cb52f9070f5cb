"""Life events: recognising that a query is about an event ("my dad passed away", "想开间茶餐厅").

A "one thing" bundle gathers the matters of a life event. A theme is known by its terms in the
catalog's wording (what `text.py` maps everyday phrases to): a bundle has the themes whose terms
its name contains, a query the themes whose terms it contains. A query that says little besides the
event (and who, when and that they want to) is about the whole event: its bundle is what it wants.
"""

from __future__ import annotations

from backend.search.text import chinese_phrases, chinese_runs, english_words, normalize, stem, strip_frames

# theme -> (Chinese terms, English terms: stems, "+" joins stems that must all be present).
THEMES: dict[str, tuple[str, str]] = {
    "death": ("死亡 身后 去世 殡葬 后事", "death"),
    "birth": ("出生 新生儿 生孩子 生小孩", "birth"),
    "marriage": ("结婚", "marriag"),
    "restaurant": ("餐厅 餐饮 饭店", "restaur"),
    "shop": ("便利店 小卖部", "conveni"),
    "home": ("二手房 买房 购房", "resal buy+home buy+properti"),
    "car": ("买车 新车 购车", "buy+car buy+vehicl"),
    "retirement": ("退休", "retir"),
    "school": ("入学 小一 一年级 上学 幼升小", "school"),
    "talent": ("人才落户 人才引进 落户 入户 毕业生", "settl graduat talent"),
}

# Who, when and wanting: words a query about an event says besides the event itself.
_CHINESE_FILLERS = sorted(
    {
        normalize(w)
        for w in """我们 我哋 我 你 他 她 佢 家里 屋企 家人 家 父母 老人 孩子 儿童 宝宝 婴儿 配偶 夫妻 自己 想 要 准备 打算
    计划 刚刚 啱啱 刚 已经 就快 快要 快 即将 马上 下个月 下月 下年 明年 今年 最近 了 咗 个 间 套 层 辆 架 部 一 家 在 喺
    广州 开 买 办 啥 些 么 都 证件 后 面 的 同 和 跟 女朋友 男朋友 对象 研究生 大学生 九月 年 月 接下来 下来 之后 小区 门口 楼下 附近 街边 路边 旁边 对面
    隔壁 社区 村里 市场 商场 这里 那里 呢度 嗰度 昨天 今天 前天 上个月 上周 上星期 琴日 寻日 前日 今日 刚才
    早前 日前 前几天 上年 去年 搞 弄 点 报名 申请""".split()
    },
    key=len,
    reverse=True,
)
_FILLER_SET = frozenset(_CHINESE_FILLERS)
_ENGLISH_FILLERS = frozenset(
    """soon next month year week just new now paperwork need do going start starts starting open opening buy buying
    parent child spouse elderly son family guangzhou here there we they he she his her him after then first
    small little want plan planning ready about get getting thing things everything all what how january
    february march april may june july august september october november december local near last week
    yesterday today recently ago days place spot business""".split()
)
_EN_FILLER_STEMS = frozenset(stem(w) for w in _ENGLISH_FILLERS)

_ZH_TERMS = {theme: [normalize(t) for t in zh.split()] for theme, (zh, _) in THEMES.items()}
_EN_TERMS = {theme: [tuple(t.split("+")) for t in en.split()] for theme, (_, en) in THEMES.items()}


_OTHER = "\u3400"  # stands for a character of the query that is not about the event


def _strength(rest: float) -> float:
    """How much a query is about an event, from how much else it says (in words): falls fast."""
    return max(0.0, 1.0 - rest) ** 2


def _english_themes(stems: set[str]) -> set[str]:
    return {theme for theme, terms in _EN_TERMS.items() if any(all(s in stems for s in term) for term in terms)}


def bundle_themes(names: list[str]) -> frozenset[str]:
    """The themes of a bundle, from its names in every locale."""
    found: set[str] = set()
    for name in names:
        text = normalize(name)
        found |= {theme for theme, terms in _ZH_TERMS.items() if any(term in text for term in terms)}
        found |= _english_themes({stem(w) for w in english_words(text)})
    return frozenset(found)


def query_themes(text: str) -> dict[str, float]:
    """The themes a normalised query expresses, each with how much of the query is about it (0 to 1)."""
    themes: dict[str, float] = {}
    words = english_words(text)
    stems = {stem(w) for w in words}
    english = _english_themes(stems)
    if english:
        used = {s for theme in english for term in _EN_TERMS[theme] for s in term}
        rest = [s for s in (stem(w) for w in words) if s not in used and s not in _EN_FILLER_STEMS]
        for theme in english:
            themes[theme] = _strength(len(rest) / 2)
    phrases = chinese_phrases(text)
    expanded = text + " " + " ".join(t for _, terms in phrases for t in terms)
    chinese = {theme for theme, terms in _ZH_TERMS.items() if any(term in expanded for term in terms)}
    if chinese:
        rest = strip_frames(text)
        for phrase, terms in phrases:  # an everyday phrase for an event (or a person) is not "the rest";
            # one for something else (a certificate) is, whole, even if it contains an event's term
            event = any(t in _FILLER_SET or any(t in ts for ts in _ZH_TERMS.values()) for t in terms)
            rest = rest.replace(phrase, " " if event else _OTHER * len(phrase))
        for term in (*(t for theme in chinese for t in _ZH_TERMS[theme]), *_CHINESE_FILLERS):
            rest = rest.replace(term, " ")
        left = len("".join(chinese_runs(rest)))
        for theme in chinese:
            themes[theme] = max(themes.get(theme, 0.0), _strength(left / 4))
    return themes
