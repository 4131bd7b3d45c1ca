"""The answer service with the scripted LLM over the seeds (hashing embedder, real Chroma)."""

import re

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


def test_a_wrong_citation_number_is_corrected(service: RagService, llm: ScriptedLLM) -> None:
    llm.queue("今年1-9月克州外贸进出口总额107.37亿元[9]。")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert not answer.refused
    assert answer.grounded
    assert answer.text == "今年1-9月克州外贸进出口总额107.37亿元。[1]"
    assert [c.source for c in answer.citations] == [SEED_FOREIGN_TRADE_2025.name]
    assert "107.37亿元" in answer.citations[0].text
    assert answer.citations[0].number == 1


def test_the_cited_passage_must_hold_the_number(service: RagService, llm: ScriptedLLM) -> None:
    service.answer("2024年1至8月克州外贸进出口总额")  # learn where the passages are
    right = _passage_number(llm, "65.6亿元")
    wrong = 1 if right != 1 else 2
    llm.queue(f"2024年1至8月克州外贸进出口总额65.6亿元[{wrong}]")
    answer = service.answer("2024年1至8月克州外贸进出口总额")
    assert [c.source for c in answer.citations] == [SEED_FOREIGN_TRADE_2024.name]
    assert all("65.6亿元" in c.text for c in answer.citations)


def test_an_invented_number_is_not_presented_as_sourced(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("克州1-9月外贸进出口总额为999.99亿元，同比增长45.2%[1]")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert not answer.refused
    assert not answer.grounded
    assert "999.99" in answer.reason
    assert "找不到" in answer.text


def test_an_answer_whose_only_numbers_are_invented_is_refused(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("克州1-9月外贸进出口总额为999.99亿元[1]")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert answer.refused
    assert answer.citations == []
    assert "999.99" in answer.reason


def test_the_model_saying_it_does_not_know_is_a_refusal(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.queue("资料中没有提到这个数据。")
    answer = service.answer("克州1-9月外贸进出口总额")
    assert answer.refused
    assert answer.text == REFUSAL
    assert answer.citations == []


def test_an_answer_the_passages_do_not_cover_is_refused(
    service: RagService, llm: ScriptedLLM
) -> None:
    question = "克州2023年全年地区生产总值是多少？"
    service.answer(question)
    prompt = llm.calls[-1][-1].content or ""
    blocks = [b.partition("]") for b in prompt.split("\n[")[1:]]
    number, body = next(
        (int(n), body) for n, _, body in blocks if "克州" in body and "生产总值" not in body
    )
    figure = next(
        n
        for n in re.findall(r"\d+(?:\.\d+)?", body.split("\n", 1)[1])
        if len(n) >= 2 and n not in question
    )
    llm.queue(f"克州2023年全年地区生产总值为{figure}亿元。[{number}]")
    answer = service.answer(question)
    assert answer.refused
    assert "生产总值" in answer.reason


def test_a_passage_about_another_place_does_not_answer(
    service: RagService, llm: ScriptedLLM
) -> None:
    question = "克州2023年上半年地区生产总值增长多少？"
    service.answer(question)
    number = _passage_number(llm, "7.3%")  # 宿迁's growth, not 克州's
    llm.queue(f"增长7.3%。[{number}]")
    answer = service.answer(question)
    assert answer.refused
    assert "克州" in answer.reason


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
    assert set(data) >= {"answer", "refused", "citations"}
    assert set(data["citations"][0]) >= {"source", "title", "text", "score"}  # type: ignore[index]
