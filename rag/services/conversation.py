"""Follow-up questions: 「那2024年1至8月呢？」 after 「克州1-9月外贸总额」 is searched and answered
as 「2024年1至8月克州外贸总额」.

Rules over time and place, no model call: a question that leans on the one before (it opens
with 那/那么/还有, ends with 呢, or names nothing but a time or a place) takes the previous
question and puts its own time and place in place of the previous ones. Any other question
stands alone. The rewrite is shown to the user (`Answer.searched`), so a wrong one is seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.components.chinese_tokens import content_terms
from rag.services.scope import period_words, places_in

_LEANS = re.compile(r"^(?:那么|那|还有|另外|再问一下)|呢\s*[？?]?\s*$")
_OPENING = re.compile(r"^(?:那么|那|还有|另外|再问一下)[，,]?")
_CLOSING = re.compile(r"(?:的情况|的|又|呢)*\s*[？?]?\s*$")
_YEARS = re.compile(r"(?:19|20)\d{2}\s*年|今年|去年|前年|明年|上年|当年")
# What is left of a question once its time and place are gone, when it says nothing more.
_SHORT_NAME = re.compile(r"(?!.*(?:多少|什么|哪|几|谁|怎|如何|吗|了))[\u4e00-\u9fff]{2,5}")
_FILLER = re.compile(r"[的呢吗？?，,。\s]|那么|那|还有|另外|情况|数据|怎么样|如何|多少|是")


def _times(text: str) -> tuple[list[str], list[str]]:
    return _YEARS.findall(text), period_words(text)


def leans_on_previous(question: str) -> bool:
    """「那2024年1至8月呢？」「宿迁呢」「2023年的」: a question that only changes the scope."""
    if _LEANS.search(question.strip()):
        return True
    years, periods = _times(question)
    rest = question
    for word in [*years, *periods, *places_in(question)]:
        rest = rest.replace(word, "")
    return bool(years or periods or places_in(question)) and not content_terms(
        _FILLER.sub("", rest)
    )


def standalone_question(question: str, history: Sequence[str]) -> str:
    """The question to search and answer, given the user's earlier questions (oldest first)."""
    question = question.strip()
    previous = ""
    for earlier in history:  # each earlier question may itself have been a follow-up
        if earlier.strip():
            previous = _rewrite(earlier.strip(), previous)
    return _rewrite(question, previous)


def _rewrite(question: str, previous: str) -> str:
    if not previous or not leans_on_previous(question):
        return question
    scope = _CLOSING.sub("", _OPENING.sub("", question)).strip(" ，,")
    years, periods = _times(scope)
    places = places_in(scope)
    rest = scope
    for word in [*years, *periods, *places]:
        rest = rest.replace(word, "")
    if not places and _SHORT_NAME.fullmatch(rest) and places_in(previous):
        places = [rest]  # 「那宿迁呢？」: a short name in place of the previous place
    if not (years or periods or places):
        return question  # 「那呢？」, 「还有别的吗？」: nothing to carry over
    core = previous
    old_years, old_periods = _times(previous)
    for word in (old_years if years else []) + (old_periods if periods else []):
        core = core.replace(word, "", 1)
    old_places = places_in(core)
    if places and old_places:  # the new place where the last one stood
        at = core.rfind(old_places[-1])
        core = core[:at] + "".join(places) + core[at + len(old_places[-1]) :]
        for word in places:
            scope = scope.replace(word, "", 1)
    core = core.strip(" ，,").rstrip("？?")
    return f"{scope.strip(' ，,')}{core}？"
