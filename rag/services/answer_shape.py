"""How far an answer span reaches, from what the question asks for.

The model reads a window of each passage and copies a span; the checks read the whole
passage. Four kinds of question want more than the span a small model copies:

- a question that asks for several things (「分布在哪些地区？」) wants the whole list the
  span is part of: 「越南、老挝、…、广东等地」, not its first items (nor the items that fitted
  in the window the model read);
- a question that counts (「分为几类？」) wants the count as the text writes it, with its
  classifier: 「两类」, not 「2」;
- a question that asks what a term is (「什么是小鸟球？」) wants the passage's definition of
  it, where the model repeats the term or copies a piece of the definition;
- a yes-or-no question (「丙烯颜料溶于汽油吗？」) answered 「是」 wants the passage's words that
  say so (「溶于汽油」): a bare 是 is found in any text and proves nothing.

Every shape is cut from the passage text, so the answer stays verbatim.
"""

from __future__ import annotations

import re

from rag.components.chinese_tokens import search_tokens
from rag.services.evidence import find_all, normalise, positional_numeral
from rag.services.passage_window import rarity

# Questions that ask for several things; a plant's or a person's other names come as a list.
_ASKS_SEVERAL = re.compile(r"哪些|哪几|有什么|包括什么|包含什么|有何|别名|别称|又称|又名|亦称|俗称")
# Where one item of a list ends and the next begins; a list ends at a clause mark.
_ITEM_MARK = "、"
_LIST_END = "，,；;。！？!?：:\n"
_SENTENCE_END = "。！？!?\n"
_OPEN, _CLOSE = "（(「『《“[【", "）)」』》”]】"
# The end of a list's last item: 「等」「等人」「等地」.
_CLOSES_LIST = re.compile(r"(?<![平同相高中初均对头一二三特上下何])等[人地国处省市县]?")
# After a list's head, the list it introduces: 「东亚地区，包括日本、朝鲜…」.
_INTRODUCES = re.compile(r"[，,]?\s*(?:包括|例如|比如|譬如|如(?![果何今此同])|即|其中有)[:：]?")
# 「几类」「多少种」: a count and the classifier it is asked with.
_COUNT = re.compile(r"(?:几|多少)([个种类次位名项条座所部届只头件张本家款支队批级层代])")
_NUMBER = re.compile(r"^(?:\d+|[一二两三四五六七八九十百千]+)$")
# 「什么是X？」「何谓X」「X是什么意思」「X指的是什么」: a question about what a term is.
_DEFINITION = (
    re.compile(r"^(?:请问)?(?:什么是|什么叫|何谓|何为)(.+?)[？?。]?$"),
    re.compile(r"^(?:请问)?(.+?)(?:是什么意思|指的是什么|是指什么|指什么|的定义是什么)[？?。]?$"),
)
# How a text defines a term after it: 「…，称为小鸟球」「…，史称「牛车水事件」」.
_NAMED_AFTER = r"[，,]?\s*(?:被称为|称为|称作|叫做|叫作|史称|简称|统称|合称|俗称)[「“『]?"
_MIN_DEFINITION = 6
# 「…吗？」「是否…」: a question answered yes or no, and the replies that say only that.
_YES_NO = re.compile(r"吗[？?。]?$|是否|是不是|能否|可否|有没有|会不会|能不能|可不可以")
_YES_NO_REPLY = re.compile(r"^(?:是的?|否|不是|对|不对|会|不会|能|不能|可以|不可以|有|没有|不)$")


def asks_several(question: str) -> bool:
    return bool(_ASKS_SEVERAL.search(question))


def _item_end(text: str, at: int) -> int:
    """Where the list item that `at` is inside ends: at the next item or clause mark
    outside brackets (「拍凤裕庭路（Phahonyothin Road）」 is one item), or the sentence's end."""
    depth = 0
    while at < len(text):
        ch = text[at]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END or (depth == 0 and (ch == _ITEM_MARK or ch in _LIST_END)):
            return at  # a bracket left open does not carry the item past its sentence
        at += 1
    return at


def list_end(text: str, start: int, end: int) -> int:
    """The end of the list that the span [start, end) opens or is part of: each further
    「、item」 and the last item (「…澳洲及美洲等」), up to the clause mark that ends the
    list. `end` itself when the span is in no list. A list the span's head introduces
    (「东亚地区，包括日本、…等地」) is taken too."""
    stop = _item_end(text, max(start, end - 1)) if end > start else end
    in_list = _ITEM_MARK in text[start:end]  # the model's list may stop inside its last item
    last = text.rfind(_ITEM_MARK, start, end) + 1
    while stop < len(text) and text[stop] == _ITEM_MARK:
        in_list = True
        last = stop + 1
        stop = _item_end(text, last)
    if in_list:
        # 「…杨祐宁等人开始了模特儿的工作」: the list ends with its 等.
        closing = _CLOSES_LIST.search(text, last, stop)
        return max(end, closing.end()) if closing else stop
    introduced = _INTRODUCES.match(text, stop)
    if introduced and stop - end <= 1:
        first = _item_end(text, introduced.end())
        if first < len(text) and text[first] == _ITEM_MARK:
            return list_end(text, introduced.end(), first)
    return end


def _count_forms(number: str) -> list[str]:
    if not number.isdigit():
        return [number]
    value = int(number)
    forms = [number]
    if value < 10000:
        forms.append(positional_numeral(value))
    if value == 2:
        forms.append("两")
    return forms


def as_count(span: str, question: str, texts: list[str]) -> str:
    """「分为几类？」 answered 「2」: the count as the passages write it with the question's
    classifier (「两类」); the span itself when no passage writes it so."""
    asked = _COUNT.search(question)
    if not asked or not _NUMBER.match(span):
        return span
    classifier = asked.group(1)
    for form in _count_forms(span):
        counted = f"{form}{classifier}"
        if any(find_all(counted, text) for text in texts):
            return counted
    return span


def defined_term(question: str) -> str:
    """The term a question asks the meaning of (「小鸟球」 of 「什么是小鸟球？」), else ''."""
    for pattern in _DEFINITION:
        match = pattern.match(question.strip())
        if match:
            return match.group(1).strip(" 「」“”\"'")
    return ""


def definition(term: str, texts: list[str]) -> str:
    """The words a passage defines `term` with, verbatim: what follows 「term是」 (「term（…），
    简称…，是指」 too), or the sentence before 「，称为term」; '' if no passage has one. A
    sentence that opens with the term (an encyclopaedia's first sentence) comes first, then
    是/指 before 即/为, then the earliest."""
    if not term:
        return ""
    escaped = re.escape(term)
    after = re.compile(
        rf"{escaped}(?:[（(][^）)]*[）)])?(?:[，,][^，,。；;！？!?\n]{{1,12}})?[，,]?\s*"
        rf"(是指|是(?!否)|指|即|(?<!称)为(?![了何]))([^。！？!?\n]+)"
    )
    before = re.compile(rf"([^。！？!?\n]+?){_NAMED_AFTER}{escaped}")
    found: list[tuple[tuple[int, int, int, int], str]] = []
    for number, text in enumerate(texts):
        for pattern in (after, before):
            for match in pattern.finditer(text):
                words = match.group(match.lastindex or 1).strip(' ，,：:“"')
                if len(normalise(words)) < _MIN_DEFINITION:
                    continue
                opens = match.start() == 0 or text[match.start() - 1] in _SENTENCE_END
                plain = pattern is before or match.group(1) in ("是指", "是", "指")
                found.append(((not opens, not plain, number, match.start()), words))
    return min(found)[1] if found else ""


def asks_yes_no(question: str) -> bool:
    return bool(_YES_NO.search(question.strip()))


def only_yes_no(span: str) -> bool:
    return bool(_YES_NO_REPLY.match(normalise(span)))


def _grams(text: str) -> set[str]:
    """Characters and character bigrams of `text` (letters, digits, Han)."""
    flat = [ch for ch in normalise(text) if ch.isalnum()]
    return set(flat) | {a + b for a, b in zip(flat, flat[1:], strict=False)}


def statement(question: str, texts: list[str]) -> str:
    """The words of `texts` that say what a yes-or-no question asks: of the sentence that
    holds most of it (its characters and bigrams weighed by rarity among the sentences; at
    least half), the comma phrase that holds most. '' when no sentence holds half, or the
    passages lack one of the question's words. 「丙烯颜料溶于汽油吗？」 → 「溶于汽油」;
    「2024年1至8月克州外贸进出口增速是否全疆第一？」 → 「增速全疆第一」."""
    plain = _YES_NO.sub("", question.strip(" ？?"))
    asked = _grams(plain)
    # A question about something the passages never write (「…可以吃吗？」) has no statement;
    # a word counts as written when half its characters are (「不易褪色」 for 容易褪色).
    written = set(normalise("".join(texts)))
    if not asked or any(
        2 * sum(ch in written for ch in word) < len(word) for word in search_tokens(plain)
    ):
        return ""
    sentences = [
        sentence.strip()
        for text in texts
        for sentence in re.split(f"(?<=[{_SENTENCE_END}])", text)
        if len(normalise(sentence)) >= 2
    ]
    if not sentences:
        return ""
    seen = [_grams(sentence) for sentence in sentences]
    weight = rarity(asked, seen)
    total = sum(weight.values())
    scores = [sum(weight[g] for g in asked & s) for s in seen]
    best = max(range(len(sentences)), key=lambda i: scores[i])
    if total <= 0 or scores[best] < 0.5 * total:
        return ""
    # The phrase that says it, not the one that dates or names it: a gram weighs by its
    # rarity among the sentences times its rarity among this sentence's phrases, and digits
    # (the time, which the scope rules check anyway) not at all.
    phrases = [p.strip() for p in re.split(f"[{_LIST_END}]", sentences[best]) if p.strip()]
    if not phrases:
        return ""
    grams = [_grams(p) for p in phrases]
    said = {g for g in asked if not any(ch.isdigit() for ch in g)}
    inner = rarity(said, grams)
    return phrases[
        max(range(len(phrases)), key=lambda i: sum(weight[g] * inner[g] for g in said & grams[i]))
    ]
