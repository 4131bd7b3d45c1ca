"""The answer service with the scripted LLM over the seeds (hashing embedder, real Chroma)."""

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.errors import IndexMissingError
from rag.services.answer import Answer
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025, SEEDS

REFUSAL = "文档中没有找到这个问题的答案。"


@pytest.fixture
def llm() -> ScriptedLLM:
    return ScriptedLLM()


@pytest.fixture
def service(test_settings: Settings, llm: ScriptedLLM) -> RagService:
    svc = RagService(test_settings, embed_model=HashingEmbedding(), llm=llm)
    svc.ingest([SEEDS], progress=False)
    return svc


def _passage_number(llm: ScriptedLLM, needle: str) -> int:
    prompt = llm.calls[-1][-1].content or ""
    for block in prompt.split("\n[")[1:]:
        number, _, body = block.partition("]")
        if needle in body:
            return int(number)
    raise AssertionError(f"{needle} was not in the prompt")


def test_the_prompt_holds_the_question_and_numbered_passages(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("107.37亿元[1]")
    service.answer("克州1-9月外贸进出口总额")
    system, user = llm.calls[0]
    assert REFUSAL in (system.content or "")
    assert "问题：克州1-9月外贸进出口总额" in (user.content or "")
    assert "[1] 标题：" in (user.content or "")


def test_the_answer_is_a_verbatim_span_with_its_quote(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("107.37亿元[9]")  # a citation number that does not exist is ignored
    answer = service.answer("克州1-9月外贸进出口总额")
    assert not answer.refused
    assert answer.grounded
    assert answer.short_answer == "107.37亿元"
    [citation] = answer.citations
    assert citation.number == 1
    assert citation.source == SEED_FOREIGN_TRADE_2025.name
    assert citation.quote == citation.text[citation.quote_start : citation.quote_end]
    assert "107.37亿元" in citation.quote
    assert answer.text.endswith("[1]")
    assert "今年（2025年）1-9月" in answer.text  # the period and year its evidence states
    assert [(p.answer, p.citation) for p in answer.parts] == [("107.37亿元", 1)]


def test_the_evidence_is_found_whatever_passage_the_model_names(
    service: RagService, llm: ScriptedLLM
) -> None:
    service.answer("2024年1至8月克州外贸进出口总额")  # learn where the passages are
    right = _passage_number(llm, "65.6亿元")
    wrong = 1 if right != 1 else 2
    llm.queue(f"65.6亿元[{wrong}]")
    answer = service.answer("2024年1至8月克州外贸进出口总额")
    assert [c.source for c in answer.citations] == [SEED_FOREIGN_TRADE_2024.name]
    assert all("65.6亿元" in c.quote for c in answer.citations)


@pytest.mark.parametrize(
    "reply",
    ["克州1-9月外贸进出口总额为999.99亿元[1]", "[1]", "资料编号：[1]", "克州1-9月外贸进出口总额"],
)
def test_a_reply_without_a_verbatim_answer_is_refused(
    service: RagService, llm: ScriptedLLM, reply: str
) -> None:
    llm.queue(reply, reply)  # asked once more, the model says the same
    answer = service.answer("克州1-9月外贸进出口总额")
    assert len(llm.calls) == 2
    assert answer.refused
    assert answer.text == REFUSAL
    assert answer.short_answer == ""
    assert answer.citations == []


def test_a_reply_that_only_restates_the_question_is_asked_once_more(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("克州1-9月外贸进出口总额", "107.37亿元")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert "请从资料原文中摘抄" in (llm.calls[1][-1].content or "")
    assert not answer.refused
    assert answer.short_answer == "107.37亿元"
    assert answer.raw_answer == "克州1-9月外贸进出口总额\n107.37亿元"


def test_the_model_saying_it_does_not_know_is_a_refusal(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("资料中没有提到这个数据。")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert answer.refused
    assert answer.text == REFUSAL
    assert answer.citations == []


def test_a_figure_of_another_period_is_refused_and_shown_for_what_it_is(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("65.6亿元")
    answer = service.answer("克州2024年全年外贸进出口总额是多少？")
    assert answer.refused
    assert answer.short_answer == ""
    assert "full year" in answer.reason
    assert answer.text.startswith(REFUSAL)
    assert "65.6亿元（2024年1-8月" in answer.text  # what the documents do hold, and its scope
    [citation] = answer.citations
    assert "65.6亿元" in citation.quote


def test_a_figure_of_another_year_is_refused(service: RagService, llm: ScriptedLLM) -> None:
    llm.queue("65.6亿元")
    answer = service.answer("克州2023年1至8月外贸进出口总额是多少？")
    assert answer.refused
    assert "2023" in answer.reason
    assert len(llm.calls) == 1  # a figure refused for its scope is not asked for again


def test_a_two_part_question_is_answered_part_by_part(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("65.6亿元\n270%")
    answer = service.answer("2024年1至8月，克州外贸进出口总额是多少，同比增长多少？")
    assert not answer.refused
    assert answer.short_answer == "65.6亿元；270%"
    assert [p.answer for p in answer.parts] == ["65.6亿元", "270%"]
    assert {p.citation for p in answer.parts} == {1}


def test_a_part_the_documents_do_not_hold_is_named(service: RagService, llm: ScriptedLLM) -> None:
    llm.queue("107.37亿元", REFUSAL)
    answer = service.answer("克州1-9月外贸进出口总额是多少？克州常住人口有多少万人？")
    assert len(llm.calls) == 2  # the missing part was asked again, alone
    assert not answer.refused
    assert answer.short_answer == "107.37亿元"
    assert answer.parts[-1].answer == ""
    assert "文档中没有找到“克州常住人口有多少万人？”的答案" in answer.text


def test_a_part_the_reply_left_out_is_asked_again_on_its_own(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("65.6亿元", "270%")
    question = "2024年1至8月，克州外贸进出口总额是多少，同比增长多少？"
    answer = service.answer(question)
    assert len(llm.calls) == 2
    assert llm.calls[1][-1].content.endswith(f"问题：{question}\n（这里只问：同比增长多少？）")
    assert [p.answer for p in answer.parts] == ["65.6亿元", "270%"]
    assert answer.parts[1].question == "同比增长多少？"
    assert answer.raw_answer == "65.6亿元\n270%"


def test_no_second_call_when_follow_ups_are_off(test_settings: Settings, llm: ScriptedLLM) -> None:
    settings = test_settings.model_copy(
        update={"answer": test_settings.answer.model_copy(update={"max_followups": 0})}
    )
    svc = RagService(settings, embed_model=HashingEmbedding(), llm=llm)
    svc.ingest([SEEDS], progress=False)
    llm.queue("65.6亿元")
    answer = svc.answer("2024年1至8月，克州外贸进出口总额是多少，同比增长多少？")
    assert len(llm.calls) == 1
    assert [p.answer for p in answer.parts] == ["65.6亿元", ""]


def test_weak_retrieval_is_refused_without_asking_the_llm(
    test_settings: Settings, llm: ScriptedLLM
) -> None:
    strict = test_settings.model_copy(
        update={
            "retrieval": test_settings.retrieval.model_copy(update={"min_dense_similarity": 0.99})
        }
    )
    svc = RagService(strict, embed_model=HashingEmbedding(), llm=llm)
    svc.ingest([SEEDS], progress=False)
    answer = svc.answer("量子计算机的原理")
    assert answer.refused
    assert llm.calls == []
    assert "similarity" in answer.reason
    # A passage that holds a name the question asks about is read all the same.
    llm.queue("广州市文化广电旅游局总工程师")
    answer = svc.answer("李若岚在哪个单位担任什么职务？")
    assert len(llm.calls) == 1
    assert answer.short_answer == "广州市文化广电旅游局总工程师"
    # So is one that writes what the question quotes, though jieba knows the words.
    llm.queue("文档中没有找到这个问题的答案。")
    svc.answer("「金字招牌」指的是什么？")
    assert len(llm.calls) == 2
    # So is the top passage when it writes the question's words, though no name is among them.
    llm.queue("107.37亿元")
    answer = svc.answer("外贸进出口总额是多少？")
    assert len(llm.calls) == 3
    assert not answer.refused
    assert answer.short_answer.startswith("107.37亿元")  # with the other period's total


def test_the_coverage_that_lets_a_short_question_through_is_a_setting(
    test_settings: Settings, llm: ScriptedLLM
) -> None:
    strict = test_settings.model_copy(
        update={
            "retrieval": test_settings.retrieval.model_copy(
                update={"min_dense_similarity": 0.99, "min_term_coverage": 1.01}
            )
        }
    )
    svc = RagService(strict, embed_model=HashingEmbedding(), llm=llm)
    svc.ingest([SEEDS], progress=False)
    answer = svc.answer("外贸进出口总额是多少？")
    assert answer.refused
    assert llm.calls == []


def test_asking_an_empty_index_says_what_to_do(test_settings: Settings) -> None:
    svc = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    with pytest.raises(IndexMissingError, match="rag ingest"):
        svc.answer("克州外贸")


def test_streaming_yields_text_then_the_checked_answer(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("今年1-9月克州外贸进出口总额107.37亿元[1]")
    events = list(service.stream("克州1-9月外贸进出口总额"))
    assert isinstance(events[-1], Answer)
    deltas = events[:-1]
    assert len(deltas) > 1
    assert all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == "今年1-9月克州外贸进出口总额107.37亿元[1]"


def test_json_shape(service: RagService, llm: ScriptedLLM) -> None:
    llm.queue("107.37亿元[1]")
    data = service.answer("克州1-9月外贸进出口总额").to_json()
    assert set(data) >= {"answer", "short_answer", "parts", "refused", "citations"}
    assert data["short_answer"] == "107.37亿元"
    citation = data["citations"][0]  # type: ignore[index]
    assert set(citation) >= {"source", "title", "text", "quote", "quote_start", "quote_end"}
    assert citation["text"][citation["quote_start"] : citation["quote_end"]] == citation["quote"]
