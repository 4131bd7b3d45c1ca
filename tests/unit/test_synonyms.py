"""Synonyms from 同义词词林 and their use in the check that a passage is about the question."""

from rag.components.synonyms import synonyms
from rag.services.extraction import extract_answer
from rag.services.scope import metric_support, question_scope


def test_synonym_groups_hold_words_of_two_or_more_characters() -> None:
    assert "故乡" in synonyms("家乡")
    assert "子女" in synonyms("孩子")
    assert "家乡" not in synonyms("家乡")  # not itself
    assert all(len(w) >= 2 for w in synonyms("家乡"))  # not 乡 or 里
    assert synonyms("克孜勒苏") == frozenset()


def test_a_synonym_in_the_passage_backs_the_question() -> None:
    asked = question_scope("宿迁是哪位历史人物的家乡？")
    text = "宿迁是西楚霸王项羽的故乡。"
    assert metric_support(asked, [text]) > metric_support(asked, ["宿迁是项羽的出生年份。"])
    result = extract_answer(
        "林永康有几个孩子？", "3名", [("", "林永康已婚，育有3名子女。", "")], 0.34
    )
    assert [p.answer for p in result.parts] == ["3名"]
    # a passage with neither the word nor a synonym of it does not: 学生 are not 孩子
    assert not extract_answer(
        "林永康有几个孩子？", "3名", [("", "林永康已婚，资助3名学生。", "")], 0.34
    ).parts
