"""The eval suite with fakes: judging rules, metric formulas, eval file checks, CLI exit code."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.frontends.cli import main
from rag.services.answer import Answer, AnswerPart, Citation
from rag.services.documents import inspect_file
from rag.services.eval_metrics import (
    THRESHOLD_METRICS,
    EvalItem,
    ItemResult,
    check_thresholds,
    judge,
    normalize,
    percentile,
    summarise,
)
from rag.services.evaluation import (
    DEFAULT_EVAL_SET,
    EvalSetError,
    evaluate,
    format_report,
    load_eval_set,
    write_report,
)
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2024, SEED_FOREIGN_TRADE_2025

NEW = SEED_FOREIGN_TRADE_2025.name
OLD = SEED_FOREIGN_TRADE_2024.name
REFUSAL = "文档中没有找到这个问题的答案。"


def _passage(number: int, source: str, text: str) -> Citation:
    return Citation(number, source, "标题", text, 0.03, 0, len(text))


def _answer(
    text: str,
    citations: list[Citation] | None = None,
    *,
    refused: bool = False,
    grounded: bool = True,
    passages: list[Citation] | None = None,
    short_answer: str = "",
    parts: list[AnswerPart] | None = None,
) -> Answer:
    citations = citations or []
    return Answer(
        "问题",
        REFUSAL if refused else text,
        refused,
        grounded,
        [] if refused else citations,
        "the model found no answer in the passages" if refused else "",
        text,
        passages if passages is not None else citations,
        short_answer="" if refused else short_answer,
        parts=[] if refused else parts or [],
    )


def _quoted(passage: Citation, quote: str) -> Citation:
    """The passage as the answer cites it, with `quote` located in its text."""
    start = passage.text.index(quote)
    return replace(passage, quote=quote, quote_start=start, quote_end=start + len(quote))


TRADE_2025 = _passage(1, NEW, "今年1-9月,克州外贸进出口总额107.37亿元,同比增长45.2%")
TRADE_2024 = _passage(2, OLD, "2024年1至8月，克州完成外贸进出口总额65.6亿元，同比增长270%")
TRADE_ITEM = EvalItem(
    id="trade",
    question="2025年1-9月克州外贸进出口总额是多少？",
    expect=(("107.37亿",),),
    forbid=("65.6",),
    source=NEW,
    tags=("number",),
)
REFUSE_ITEM = EvalItem(id="gdp", question="克州2023年全年地区生产总值是多少？", refuse=True)


# ---- judging ----


def test_normalize_turns_full_width_into_ascii_and_drops_whitespace() -> None:
    assert normalize("６５．６ 亿元，增长２７０％\n") == "65.6亿元，增长270%"


def test_a_right_answer_with_its_source_passes() -> None:
    result = judge(TRADE_ITEM, _answer("克州外贸进出口总额107.37亿元。[1]", [TRADE_2025]), 4, 1.0)
    assert result.passed, result.why
    assert result.why == ""
    assert (result.citation_ok, result.hit_at_k, result.key_hit_at_k) == (True, True, True)


def test_full_width_digits_and_spaces_in_the_answer_still_match_the_key() -> None:
    result = judge(TRADE_ITEM, _answer("总额１０７．３７ 亿元[1]", [TRADE_2025]), 4, 1.0)
    assert result.passed, result.why


def test_any_alternative_of_a_key_counts() -> None:
    item = EvalItem("cities", "几座城市？", expect=(("5座", "五座"),), source=OLD)
    passage = _passage(1, OLD, "成为集聚度最高的五座城市")
    assert judge(item, _answer("五座城市[1]", [passage]), 4, 1.0).passed
    failed = judge(item, _answer("六座城市[1]", [passage]), 4, 1.0)
    assert not failed.passed
    assert failed.why == "missing key 5座|五座"


def test_citation_markers_are_not_read_as_figures() -> None:
    item = EvalItem("count", "几个？", expect=(("3",),), source=NEW)
    result = judge(item, _answer("签约了若干项目。[3]", [_passage(3, NEW, "签约3个项目")]), 4, 1.0)
    assert result.why == "missing key 3"


def test_the_other_years_figure_fails_the_answer() -> None:
    answer = _answer("107.37亿元，2024年1至8月为65.6亿元[1][2]", [TRADE_2025, TRADE_2024])
    result = judge(TRADE_ITEM, answer, 4, 1.0)
    assert not result.passed
    assert result.why == "forbidden 65.6 present"


def test_a_missing_key_is_named() -> None:
    result = judge(TRADE_ITEM, _answer("克州外贸增长45.2%[1]", [TRADE_2025]), 4, 1.0)
    assert result.why == "missing key 107.37亿"
    assert result.citation_ok is None, "a wrong answer is judged by accuracy, not citations"


def test_a_refusal_of_an_answerable_question_fails_with_the_systems_reason() -> None:
    result = judge(TRADE_ITEM, _answer("", refused=True, passages=[TRADE_2025]), 4, 1.0)
    assert not result.passed
    assert result.why == "refused though answerable (the model found no answer in the passages)"
    assert result.hit_at_k is True
    assert result.citation_ok is None


def test_the_right_figure_cited_to_the_wrong_document_fails() -> None:
    wrong = _passage(1, OLD, "克州外贸进出口总额107.37亿元")
    result = judge(TRADE_ITEM, _answer("107.37亿元[1]", [wrong]), 4, 1.0)
    assert result.why == f"wrong source: cited {OLD}"
    assert result.citation_ok is False
    assert result.hit_at_k is False


def test_hit_at_k_looks_only_at_the_top_k_passages() -> None:
    passages = [TRADE_2024, TRADE_2024, TRADE_2025]
    answer = _answer("107.37亿元[1]", [TRADE_2025], passages=passages)
    assert judge(TRADE_ITEM, answer, 2, 1.0).hit_at_k is False
    assert judge(TRADE_ITEM, answer, 3, 1.0).hit_at_k is True


def test_key_hit_needs_the_key_in_a_passage_of_the_expected_source() -> None:
    other = _passage(1, NEW, "克州国际大酒店内高朋满座")
    answer = _answer("", refused=True, passages=[other])
    result = judge(TRADE_ITEM, answer, 4, 1.0)
    assert (result.hit_at_k, result.key_hit_at_k) == (True, False)


def test_refusal_items() -> None:
    refused = judge(REFUSE_ITEM, _answer("", refused=True), 4, 1.0)
    assert refused.passed
    answered = judge(REFUSE_ITEM, _answer("克州地区生产总值为500亿元[1]", [TRADE_2025]), 4, 1.0)
    assert not answered.passed
    assert answered.why.startswith("answered though it should refuse: 克州地区生产总值")
    assert answered.hit_at_k is None
    assert answered.citation_ok is None


# ---- short answers ----


def test_a_short_answer_with_every_key_is_right() -> None:
    answer = _answer(
        "克州外贸进出口总额107.37亿元。[1]", [TRADE_2025], short_answer="１０７．３７ 亿元"
    )
    result = judge(TRADE_ITEM, answer, 4, 1.0)
    assert result.short_answer_ok is True
    assert result.short_answer == "１０７．３７ 亿元"
    assert result.to_json()["short_answer"] == "１０７．３７ 亿元"


def test_a_multi_part_short_answer_needs_the_key_of_every_part() -> None:
    item = EvalItem(
        "trade2",
        "总额和增速？",
        expect=(("107.37亿",), ("45.2%",)),
        source=NEW,
        tags=("multi-part",),
    )
    text = "总额107.37亿元，同比增长45.2%[1]"
    both = judge(item, _answer(text, [TRADE_2025], short_answer="107.37亿元；45.2%"), 4, 1.0)
    assert both.short_answer_ok is True
    one = judge(item, _answer(text, [TRADE_2025], short_answer="107.37亿元"), 4, 1.0)
    assert one.passed, "the answer text is judged on its own"
    assert one.short_answer_ok is False


def test_a_short_answer_is_wrong_when_empty_refused_or_off_the_key() -> None:
    empty = judge(TRADE_ITEM, _answer("克州外贸进出口总额107.37亿元[1]", [TRADE_2025]), 4, 1.0)
    assert empty.passed
    assert empty.short_answer_ok is False
    wrong = _answer("107.37亿元[1]", [TRADE_2025], short_answer="65.6亿元")
    assert judge(TRADE_ITEM, wrong, 4, 1.0).short_answer_ok is False
    refused = judge(TRADE_ITEM, _answer("", refused=True, passages=[TRADE_2025]), 4, 1.0)
    assert refused.short_answer_ok is False


def test_a_refusal_item_has_no_short_answer_verdict() -> None:
    answered = _answer("500亿元[1]", [TRADE_2025], short_answer="500亿元")
    assert judge(REFUSE_ITEM, answered, 4, 1.0).short_answer_ok is None
    assert judge(REFUSE_ITEM, _answer("", refused=True), 4, 1.0).short_answer_ok is None


# ---- quotes ----

QUOTE_2025 = "克州外贸进出口总额107.37亿元,同比增长45.2%"


def test_quotes_that_are_the_passage_text_and_hold_every_part_pass() -> None:
    cited = _quoted(TRADE_2025, QUOTE_2025)
    parts = [
        AnswerPart("总额是多少", "107.37亿元", 1, "2025年1-9月 克州"),
        AnswerPart("增长多少", "４５．２%", 1, "2025年1-9月 克州"),
        AnswerPart("货运量", "", 0),  # a part the documents do not hold is not judged here
    ]
    answer = _answer(
        "107.37亿元，增长45.2%[1]", [cited], short_answer="107.37亿元；45.2%", parts=parts
    )
    result = judge(TRADE_ITEM, answer, 4, 1.0)
    assert (result.quote_ok, result.quote_why) == (True, "")
    assert result.to_json()["quote_ok"] is True


def test_every_cited_passage_needs_a_quote() -> None:
    answer = _answer("107.37亿元[1][2]", [_quoted(TRADE_2025, QUOTE_2025), TRADE_2024])
    result = judge(TRADE_ITEM, answer, 4, 1.0)
    assert result.quote_ok is False
    assert result.quote_why == "[2] has no quote"


QUOTE_AT = TRADE_2025.text.index(QUOTE_2025)  # the quote ends the passage


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (QUOTE_AT + 1, QUOTE_AT + 1 + len(QUOTE_2025)),
        # Python's slice would give the quote back for these two; the offsets are still wrong.
        (-len(QUOTE_2025), len(TRADE_2025.text)),
        (QUOTE_AT, 10_000),
    ],
    ids=["shifted", "negative", "past-the-end"],
)
def test_a_quote_must_be_the_text_at_its_offsets(start: int, end: int) -> None:
    cited = replace(TRADE_2025, quote=QUOTE_2025, quote_start=start, quote_end=end)
    result = judge(TRADE_ITEM, _answer("107.37亿元[1]", [cited]), 4, 1.0)
    assert result.quote_ok is False
    assert result.quote_why == f"[1] quote is not text[{start}:{end}]"


def test_a_quote_copied_with_other_characters_fails() -> None:
    cited = _quoted(TRADE_2025, QUOTE_2025)
    cited = replace(cited, quote=QUOTE_2025.replace(",", "，"))  # not verbatim
    assert judge(TRADE_ITEM, _answer("107.37亿元[1]", [cited]), 4, 1.0).quote_ok is False


def test_a_part_must_be_inside_the_quote_of_the_citation_it_names() -> None:
    total = _quoted(TRADE_2025, "克州外贸进出口总额107.37亿元")
    old = _quoted(TRADE_2024, "同比增长270%")  # citation [2]
    outside = [AnswerPart("增长多少", "45.2%", 1)]  # in the passage, not in the quote
    result = judge(TRADE_ITEM, _answer("45.2%[1]", [total, old], parts=outside), 4, 1.0)
    assert result.quote_ok is False
    assert result.quote_why == "part 45.2% not in the quote of [1]"
    wrong_number = [AnswerPart("总额", "107.37亿元", 2)]
    result = judge(TRADE_ITEM, _answer("107.37亿元[1]", [total, old], parts=wrong_number), 4, 1.0)
    assert result.quote_why == "part 107.37亿元 not in the quote of [2]"
    not_cited = [AnswerPart("总额", "107.37亿元", 3)]
    result = judge(TRADE_ITEM, _answer("107.37亿元[1]", [total, old], parts=not_cited), 4, 1.0)
    assert result.quote_why == "part 107.37亿元 names [3], not cited"


def test_quotes_are_not_judged_without_an_answer_with_citations() -> None:
    refused = judge(TRADE_ITEM, _answer("", refused=True, passages=[TRADE_2025]), 4, 1.0)
    assert refused.quote_ok is None
    uncited = judge(TRADE_ITEM, _answer("107.37亿元", [], passages=[TRADE_2025]), 4, 1.0)
    assert uncited.quote_ok is None
    # A refusal item that was answered is judged: its quotes can still be checked.
    answered = judge(REFUSE_ITEM, _answer("107.37亿元[1]", [TRADE_2025]), 4, 1.0)
    assert answered.quote_ok is False


# ---- metrics ----


def _result(
    *,
    refuse_expected: bool,
    refused: bool,
    passed: bool,
    grounded: bool = True,
    citation_ok: bool | None = None,
    hit: bool | None = None,
    seconds: float = 1.0,
    tags: tuple[str, ...] = (),
    short_answer_ok: bool | None = None,
    quote_ok: bool | None = None,
) -> ItemResult:
    return ItemResult(
        id="x",
        question="?",
        tags=list(tags),
        refuse_expected=refuse_expected,
        passed=passed,
        why="",
        answer="",
        refused=refused,
        grounded=grounded,
        reason="",
        expected_source=None if refuse_expected else NEW,
        cited_sources=[],
        retrieved_sources=[],
        citation_ok=citation_ok,
        hit_at_k=hit,
        key_hit_at_k=hit,
        seconds=seconds,
        first_token_seconds=None if refused else seconds / 2,
        prompt_tokens=None if refused else 400,
        completion_tokens=None if refused else 20,
        short_answer_ok=short_answer_ok,
        quote_ok=quote_ok,
    )


def test_metric_formulas_on_known_counts() -> None:
    answerable = [
        _result(refuse_expected=False, refused=False, passed=True, citation_ok=True, hit=True),
        _result(refuse_expected=False, refused=False, passed=True, citation_ok=True, hit=True),
        _result(refuse_expected=False, refused=False, passed=True, citation_ok=False, hit=True),
        _result(refuse_expected=False, refused=False, passed=False, grounded=False, hit=True),
        _result(refuse_expected=False, refused=True, passed=False, hit=False),
    ]
    to_refuse = [
        _result(refuse_expected=True, refused=True, passed=True),
        _result(refuse_expected=True, refused=True, passed=True),
        _result(refuse_expected=True, refused=False, passed=False, tags=("near-miss",)),
    ]
    summary = summarise(answerable + to_refuse)
    m = summary.metrics
    assert m["answer_accuracy"] == 0.6  # 3 of 5 answerable pass
    assert m["refusal_precision"] == pytest.approx(2 / 3, abs=1e-4)  # 3 refused, 2 rightly
    assert m["refusal_recall"] == pytest.approx(2 / 3, abs=1e-4)  # 2 of 3 to refuse
    assert m["citation_precision"] == pytest.approx(2 / 3, abs=1e-4)  # None rows left out
    assert m["retrieval_hit_at_k"] == 0.8
    assert m["grounded_rate"] == 0.8  # 5 answered (4 + 1 to refuse), 1 not grounded
    assert m["pass_rate"] == 0.625
    assert (summary.items, summary.answerable, summary.refuse_expected, summary.refused) == (
        8,
        5,
        3,
        3,
    )
    assert summary.tokens["prompt_total"] == 400 * 5
    assert summary.tokens["completion_mean"] == 20
    assert summary.by_tag == {"near-miss": {"items": 1, "passed": 0}}
    assert m["short_answer_accuracy"] == 0.0  # no short answer was judged right
    assert m["quote_precision"] is None  # no item had its quotes judged


def test_short_answer_accuracy_and_quote_precision_on_known_counts() -> None:
    results = [
        _result(
            refuse_expected=False, refused=False, passed=True, short_answer_ok=True, quote_ok=True
        ),
        _result(
            refuse_expected=False, refused=False, passed=True, short_answer_ok=False, quote_ok=True
        ),
        _result(
            refuse_expected=False, refused=False, passed=False, short_answer_ok=True, quote_ok=False
        ),
        _result(refuse_expected=False, refused=True, passed=False, short_answer_ok=False),
        _result(refuse_expected=True, refused=False, passed=False, quote_ok=False),
        _result(refuse_expected=True, refused=True, passed=True),
    ]
    m = summarise(results).metrics
    assert m["short_answer_accuracy"] == 0.5  # 2 of 4 answerable, the refused one counts
    assert m["quote_precision"] == 0.5  # 2 of the 4 judged, a refusal item's answer included


def test_a_metric_without_items_is_none_and_misses_its_threshold() -> None:
    summary = summarise([_result(refuse_expected=False, refused=False, passed=True, hit=True)])
    assert summary.metrics["refusal_precision"] is None
    assert summary.metrics["refusal_recall"] is None
    checks = check_thresholds(summary.metrics, {"refusal_recall": 0.0, "answer_accuracy": 1.0})
    assert [(c.metric, c.passed) for c in checks] == [
        ("refusal_recall", False),
        ("answer_accuracy", True),
    ]


def test_threshold_is_a_minimum() -> None:
    checks = check_thresholds({"answer_accuracy": 0.8}, {"answer_accuracy": 0.8})
    assert checks[0].passed
    assert not check_thresholds({"answer_accuracy": 0.79}, {"answer_accuracy": 0.8})[0].passed


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


# ---- the eval file ----


def _write_set(tmp_path: Path, body: str, thresholds: str = "answer_accuracy: 0.5") -> Path:
    path = tmp_path / "set.yaml"
    path.write_text(
        f"version: 1\ndocuments: [{SEED_FOREIGN_TRADE_2025}]\nk: 4\n"
        f"thresholds:\n  {thresholds}\nitems:\n{body}",
        encoding="utf-8",
    )
    return path


GOOD_ITEMS = f"""\
  - id: trade
    question: 2025年1-9月克州外贸进出口总额是多少？
    expect: ["１０７．３７ 亿", ["45.2%", "四成"]]
    forbid: ["65.6"]
    source: {NEW}
  - id: gdp
    question: 北京市2024年末常住人口是多少？
    refuse: true
"""


def test_a_good_file_loads_with_keys_normalised(tmp_path: Path) -> None:
    eval_set = load_eval_set(_write_set(tmp_path, GOOD_ITEMS))
    assert [i.id for i in eval_set.items] == ["trade", "gdp"]
    assert eval_set.items[0].expect == (("107.37亿",), ("45.2%", "四成"))
    assert eval_set.items[1].refuse
    assert eval_set.thresholds == {"answer_accuracy": 0.5}
    assert eval_set.documents == [SEED_FOREIGN_TRADE_2025]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "  - id: a\n    question: 克州？\n",
            "item 1 (id a): needs `expect` (the key strings of the answer) or `refuse: true`",
        ),
        (
            "  - id: a\n    question: 克州？\n    expect: [x]\n",
            "item 1 (id a): needs `source`",
        ),
        (
            "  - id: a\n    question: 克州？\n    refuse: true\n    expect: [x]\n",
            "item 1 (id a): an item with `refuse: true` takes no `expect` or `source`",
        ),
        ("  - id: a\n    refuse: true\n", "item 1 (id a): question: Field required"),
        (
            "  - id: a\n    question: q\n    refuse: true\n    answer: x\n",
            "item 1 (id a): answer: Extra inputs are not permitted",
        ),
        (
            f"  - id: a\n    question: q\n    expect: [[]]\n    source: {NEW}\n",
            "item 1 (id a): `expect` holds an empty key or alternative list",
        ),
        (
            "  - id: a\n    question: q\n    refuse: true\n  - id: a\n    question: r\n    refuse: true\n",
            "item 2 (id a): the id is used twice",
        ),
        (
            "  - id: a\n    question: q\n    expect: [x]\n    source: nowhere.txt\n",
            "item 1 (id a): source nowhere.txt is not a file in documents",
        ),
    ],
)
def test_a_bad_item_is_named_with_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = _write_set(tmp_path, body)
    with pytest.raises(EvalSetError) as error:
        load_eval_set(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_an_unknown_threshold_is_an_error(tmp_path: Path) -> None:
    path = _write_set(tmp_path, GOOD_ITEMS, thresholds="accuracy: 0.5")
    with pytest.raises(EvalSetError, match="unknown threshold 'accuracy'"):
        load_eval_set(path)


def test_a_threshold_above_one_is_an_error(tmp_path: Path) -> None:
    path = _write_set(tmp_path, GOOD_ITEMS, thresholds="answer_accuracy: 80")
    with pytest.raises(EvalSetError, match="not between 0 and 1"):
        load_eval_set(path)


def test_a_missing_file_and_broken_yaml(tmp_path: Path) -> None:
    with pytest.raises(EvalSetError, match="no such eval file"):
        load_eval_set(tmp_path / "nothing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [unclosed\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match="not valid YAML"):
        load_eval_set(broken)


def test_the_seed_eval_set_is_valid_and_covers_what_the_issue_asks() -> None:
    eval_set = load_eval_set(DEFAULT_EVAL_SET)
    items = eval_set.items
    assert len(items) >= 40
    assert sum(i.refuse for i in items) >= 8
    assert {i.source for i in items if i.source} == {OLD, NEW, "injected_notice.txt"}
    tags = {t for i in items for t in i.tags}
    assert "injection" in tags
    assert {"number", "percent", "count", "person", "org", "list", "year"} <= tags
    assert {"repaired", "paraphrase", "near-miss"} <= tags
    assert {"multi-part", "scope-equivalent", "scope-year", "scope-period"} <= tags
    assert {"scope-place", "scope-metric"} <= tags
    for item in items:
        if "multi-part" in item.tags:
            assert len(item.expect) >= 2, item.id
        if any(t.startswith("scope-") and t != "scope-equivalent" for t in item.tags):
            assert item.refuse, item.id
    assert set(eval_set.thresholds) >= {
        "answer_accuracy",
        "refusal_precision",
        "refusal_recall",
        "citation_precision",
        "retrieval_hit_at_k",
        "grounded_rate",
    }


def test_every_key_of_the_seed_set_is_in_its_source_document() -> None:
    """A typo in a key would make an item impossible to pass."""
    eval_set = load_eval_set(DEFAULT_EVAL_SET)
    texts = {}
    for path in [p for p in eval_set.documents if p.is_file()] + [
        SEED_FOREIGN_TRADE_2024,
        SEED_FOREIGN_TRADE_2025,
    ]:
        layout = inspect_file(path, 50 * 1024 * 1024)
        texts[path.name] = normalize("\n".join(a.title + "\n" + a.text for a in layout.articles))
    for item in eval_set.items:
        if item.source:
            for alternatives in item.expect:
                assert any(a in texts[item.source] for a in alternatives), (item.id, alternatives)


# ---- running it ----


@pytest.fixture
def small_set(tmp_path: Path) -> Path:
    return _write_set(tmp_path, GOOD_ITEMS, thresholds="refusal_recall: 1.0")


class CountingLLM(ScriptedLLM):
    """The scripted fake with a tokenizer: one token per character."""

    def count_tokens(self, text: str) -> int:
        return len(text)


def test_evaluate_on_a_temporary_index_with_scripted_answers(
    small_set: Path, test_settings: Settings, tmp_path: Path
) -> None:
    llm = CountingLLM(["今年1-9月克州外贸进出口总额107.37亿元，同比增长45.2%[1]", REFUSAL])
    seen: list[str] = []
    report = evaluate(
        load_eval_set(small_set),
        test_settings,
        on_result=lambda r: seen.append(r.id),
        service_factory=lambda s: RagService(s, embed_model=HashingEmbedding(), llm=llm),
    )
    assert seen == ["trade", "gdp"]
    assert report.index == "temporary"
    assert [r.passed for r in report.results] == [True, True], [r.why for r in report.results]
    assert report.summary.metrics["answer_accuracy"] == 1.0
    assert report.summary.metrics["refusal_recall"] == 1.0
    assert report.summary.metrics["refusal_precision"] == 1.0
    assert report.passed
    trade = report.results[0]
    assert trade.prompt_tokens
    assert trade.prompt_tokens > 100
    assert trade.completion_tokens == len("今年1-9月克州外贸进出口总额107.37亿元，同比增长45.2%[1]")
    assert trade.first_token_seconds is not None
    assert trade.first_token_seconds <= trade.seconds
    out = write_report(report, tmp_path / "r" / "report.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["passed"] is True
    assert data["thresholds"] == [
        {"metric": "refusal_recall", "minimum": 1.0, "value": 1.0, "passed": True}
    ]
    assert [i["id"] for i in data["items"]] == ["trade", "gdp"]
    assert {"short_answer", "short_answer_ok", "quote_ok"} <= set(data["items"][0])
    assert set(data["summary"]["metrics"]) == set(THRESHOLD_METRICS)
    text = format_report(report)
    assert "trade" in text
    assert "refusal_recall" in text
    assert "short_answer_accuracy" in text
    assert "quote_precision" in text
    assert "p95" in text


@pytest.fixture
def fake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_PROFILES", "test")
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "models"))


# The fake LLM, with nothing queued, replies with the passage sentence closest to the
# question. An item marked `refuse` that the documents do answer is therefore answered, and
# fails: refusal_recall is 1/2.
WRONGLY_MARKED = """\
  - id: marked-refuse
    question: 克州1-9月外贸进出口总额同比增长多少？
    refuse: true
"""


@pytest.mark.usefixtures("fake_env")
@pytest.mark.parametrize(
    ("threshold", "code", "verdict"),
    [
        ("refusal_recall: 1.0", 1, "thresholds: missed: refusal_recall"),
        ("refusal_recall: 0.5", 0, "thresholds: all met"),
    ],
)
def test_cli_exit_code_follows_the_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str, code: int, verdict: str
) -> None:
    path = _write_set(tmp_path, GOOD_ITEMS + WRONGLY_MARKED, thresholds=threshold)
    out = tmp_path / "report.json"
    assert main(["eval", "--set", str(path), "--out", str(out)]) == code
    printed = capsys.readouterr().out
    assert "trade                        pass" in printed
    assert "marked-refuse                FAIL" in printed
    assert verdict in printed
    assert json.loads(out.read_text(encoding="utf-8"))["passed"] is (code == 0)


@pytest.mark.usefixtures("fake_env")
def test_cli_with_an_existing_index_ingests_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write_set(tmp_path, GOOD_ITEMS, thresholds="refusal_recall: 0.0")
    index = tmp_path / "index"
    assert main(["ingest", str(SEED_FOREIGN_TRADE_2025), "--index", str(index), "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "report.json"
    assert main(["eval", "--set", str(path), "--index", str(index), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["index"] == str(index)
    empty = tmp_path / "empty"
    assert main(["eval", "--set", str(path), "--index", str(empty), "--out", str(out)]) == 1
    assert "is empty" in capsys.readouterr().err


@pytest.mark.usefixtures("fake_env")
def test_cli_names_a_bad_eval_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write_set(tmp_path, "  - id: a\n    question: q\n")
    assert main(["eval", "--set", str(path)]) == 1
    assert f"error: {path}: item 1 (id a)" in capsys.readouterr().err
