"""Chinese word tokens for BM25 and for checking what a question asks about (jieba)."""

from __future__ import annotations

import logging
import math
import re
from functools import cache, lru_cache
from typing import Any

_WORDISH = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_CJK_RUN = re.compile(r"^[\u4e00-\u9fff]+$")
HAN = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character (CJK unified ideographs)

# Function words and question words: they say nothing about which passage answers.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "等",
        "也",
        "都",
        "而",
        "并",
        "对",
        "从",
        "把",
        "被",
        "将",
        "就",
        "这",
        "那",
        "其",
        "之",
        "于",
        "为",
        "以",
        "由",
        "上",
        "中",
        "下",
        "吗",
        "呢",
        "吧",
        "啊",
        "么",
        "什么",
        "多少",
        "哪些",
        "哪个",
        "哪里",
        "怎么",
        "怎样",
        "如何",
        "为什么",
        "是否",
        "有没有",
        "几",
        "谁",
        "请问",
        "请",
        "分别",
        "一下",
        "一共",
        "总共",
        "大约",
        "约",
        "有",
        "个",
        "年",
        "月",
        "日",
    ]
)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def preload() -> None:
    """Load jieba's dictionary now rather than on the first question."""
    _jieba()


def is_word(text: str) -> bool:
    """`text` is a word of jieba's dictionary (「辽阔」), not just a prefix of one."""
    return bool(_jieba().dt.FREQ.get(text))


@cache
def _char_ranks() -> dict[str, int]:
    """Each character's rank by how often jieba's dictionary words use it (0: the most)."""
    counts: dict[str, int] = {}
    for word, freq in _jieba().dt.FREQ.items():
        if freq:
            for char in word:
                counts[char] = counts.get(char, 0) + freq
    ordered = sorted(counts, key=lambda c: -counts[c])
    return {char: rank for rank, char in enumerate(ordered)}


def rare_share(text: str, rank: int = 4500) -> float:
    """Share of the Chinese characters of `text` beyond the `rank` most used ones (or not in
    jieba's dictionary at all): a few percent in any real sentence, even one full of names."""
    han = HAN.findall(text)
    if not han:
        return 0.0
    ranks = _char_ranks()
    return sum(ranks.get(c, len(ranks)) >= rank for c in han) / len(han)


def search_tokens(text: str) -> list[str]:
    """Tokens for BM25: jieba's search mode plus the bigrams of long CJK words, so that a
    glued token such as 「月克州」 still matches 「克州」."""
    tokens: list[str] = []
    for token in _jieba().cut_for_search(text.lower()):
        token = token.strip()
        if not token or not _WORDISH.search(token) or token in STOPWORDS:
            continue
        tokens.append(token)
        if len(token) >= 3 and _CJK_RUN.match(token):
            tokens.extend(token[i : i + 2] for i in range(len(token) - 1))
    return tokens


# Words that point at something named elsewhere (「这个计划由谁来主持」): in a question they
# say nothing about what it asks. Not stopwords for search, where they are harmless.
_POINTERS = frozenset(["这个", "那个", "这些", "那些", "这种", "那种", "这里", "那里", "它们"])
# The noun of a question word (「什么时候」 is cut 什么 / 时候): it asks, it names nothing.
_ASKING = frozenset(["时候"])


def content_terms(question: str) -> list[str]:
    """The words a question is about: no function words, punctuation or lone characters
    (a lone digit says little), but years and other numbers of two or more digits stay."""
    terms = []
    for token in _jieba().lcut(question.lower()):
        token = token.strip()
        if (
            len(token) < 2
            or token in STOPWORDS
            or token in _POINTERS
            or token in _ASKING
            or not _WORDISH.search(token)
        ):
            continue
        terms.append(token)
    return list(dict.fromkeys(terms))


def _tagged(text: str) -> list[tuple[str, str]]:
    """jieba's words of `text` with their part-of-speech flags."""
    import jieba.posseg as posseg

    _jieba()
    return [(w.word, w.flag) for w in posseg.cut(text)]


def is_noun(word: str) -> bool:
    """jieba tags `word`, read alone, as one common noun (职业, 功效; not 当作 or a name)."""
    tagged = _tagged(word)
    return len(tagged) == 1 and tagged[0][1] in ("n", "vn", "ng")


def named_entities(question: str) -> list[str]:
    """Places, people, organisations and other proper names jieba tags in the question."""
    names = [
        word
        for word, flag in _tagged(question)
        if flag[:2] in ("ns", "nr", "nt", "nz") and len(word) >= 2
    ]
    return list(dict.fromkeys(names))


def proper_names(question: str) -> list[str]:
    """Names of people, organisations and other things (not places) in a question: what
    jieba tags as nr/nt/nz, and words its dictionary does not know that its tagger also keeps
    whole (「符泳」; not the glued 「排第」 of 「排第几」, which the tagger splits)."""
    tagged = dict(_tagged(question))
    names = [w for w, flag in tagged.items() if len(w) >= 2 and flag[:2] in ("nr", "nt", "nz")]
    names += [w for w in unknown_words(question) if w in tagged and not w.isdigit()]
    return list(dict.fromkeys(names))


_PLACE_END = ("省", "市", "县", "州", "自治区")


def place_words(text: str) -> list[str]:
    """Place names: words jieba tags as places (ns), and words ending in 省/市/县/州; not
    the pieces of a person's name that the tagger takes for places (`name_parts`)."""
    tagged = _tagged(text)
    parts = _name_parts(tagged)
    names = [
        word
        for word, flag in tagged
        if len(word) >= 2
        and (flag.startswith("ns") or word.endswith(_PLACE_END))
        and word not in parts
    ]
    return list(dict.fromkeys(names))


_PERSON_FLAGS = ("nr", "nrt", "nrfg")
_NAME_DOT = "·•‧・"
_RARE_PLACE = 1000  # jieba frequency: 海斯 57, 德克 45; 欧亚 284; 中国 129,470, 城市 25,084


def _name_parts(tagged: list[tuple[str, str]]) -> set[str]:
    pieces: set[str] = set()
    for i, (word, flag) in enumerate(tagged):
        if not flag.startswith("ns"):
            continue
        before = tagged[i - 1] if i else ("", "")
        after = tagged[i + 1] if i + 1 < len(tagged) else ("", "")
        # 「因赫·德克」: across the dot of a transliterated name, unless a place or no
        # Chinese word is there (「中国·喀什」 names two places, 「2025·喀什」 a year and one)
        across = None
        if i > 1 and before[0] and before[0] in _NAME_DOT:
            across = tagged[i - 2]
        elif i + 2 < len(tagged) and after[0] and after[0] in _NAME_DOT:
            across = tagged[i + 2]
        if (
            across is not None
            and not across[1].startswith("ns")
            and all(HAN.match(c) for c in across[0])
        ):
            pieces.add(word)
        elif (
            before[1] in _PERSON_FLAGS
            and len(before[0]) >= 2
            and all(HAN.match(c) for c in before[0])
            and _jieba().dt.FREQ.get(word, 0) < _RARE_PLACE
        ):
            # 「费尔德」「海斯」: the end of 费尔德海斯, glued to the name; not a common place
            # after a word the tagger takes for a name (「荣获」「中国」)
            pieces.add(word)
    return pieces


@lru_cache(maxsize=256)
def name_parts(text: str) -> frozenset[str]:
    """Words jieba tags as places that `text` writes as pieces of a person's name: next to
    the dot of a transliterated name (德克 of 「因赫·德克」) or glued after a name the tagger
    finds (海斯 of 「费尔德海斯」). Elsewhere in the same passage (「伙拍德克、…」) they name
    that person too, not a place. Cached: the place rule asks it of the same passage for
    every place of every candidate span, and tagging a passage takes ~20 ms."""
    return frozenset(_name_parts(_tagged(text)))


_QUOTED = re.compile(r"[「“『《\"]([^」”』》\"]{2,30})[」”』》\"]")


def quoted_terms(question: str) -> list[str]:
    """What the question puts in quotes or title marks (「碧草如茵」, 《鳄鱼泪》): words it
    takes from the text, as much a sign of the passage it is about as a name."""
    return [m.group(1).lower() for m in _QUOTED.finditer(question)]


def unknown_words(question: str) -> list[str]:
    """Words of the question that jieba's dictionary does not know: mostly names
    (李若岚, 天门冬), the strongest sign that a passage holding them is about the question."""
    jieba = _jieba()
    return [t for t in content_terms(question) if not t.isdigit() and not jieba.dt.FREQ.get(t)]


def term_weight(term: str) -> float:
    """How much a word says about what a question is about: its rarity in jieba's
    dictionary (-log of its frequency), so that a name (王家瑞, unknown to the dictionary)
    outweighs the 担任 and 职务 around it."""
    jieba = _jieba()
    total = float(jieba.dt.total or 1)
    return math.log(total / (float(jieba.dt.FREQ.get(term, 0) or 0) + 1.0))


def term_support(term: str, text: str) -> float:
    """1.0 when `term` occurs in `text`; otherwise the share of its character bigrams that do."""
    if term in text:
        return 1.0
    if len(term) < 3 or term.isdigit():
        return 0.0  # a year or figure is there or not: "2024" does not half-back "2023"
    grams = [term[i : i + 2] for i in range(len(term) - 1)]
    return sum(g in text for g in grams) / len(grams)


def term_coverage(question: str, text: str) -> float:
    """Share of the question's words (`content_terms`, each weighted by `term_weight`) that
    `text` writes (`term_support`): 1.0 for 「核心保护区有多大？」 against the passage that
    gives the reserve's area, however far apart an embedding puts a five-word question and a
    long passage; low against a passage that shares only common words with it."""
    terms = content_terms(question)
    weights = [term_weight(t) for t in terms]
    if not terms or not sum(weights):
        return 0.0
    lowered = text.lower()
    found = sum(w * term_support(t, lowered) for t, w in zip(terms, weights, strict=True))
    return found / sum(weights)
