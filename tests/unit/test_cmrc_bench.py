"""bench/cmrc.py without real models: the unanswerable selection and filter, the summaries
and tables, and one whole run on tiny passages with the test profile's fakes."""

import json
from pathlib import Path
from typing import Any

import pytest

from bench.cmrc import (
    REFUSAL_TARGET,
    Baseline,
    Passage,
    Question,
    answer_with_baseline,
    drop_answered_elsewhere,
    held_out_passages,
    main,
    of_kind,
    render_markdown,
    resummarise,
    sample_questions,
    select_unanswerable,
    summarise_answers,
    summarise_unanswerable,
)
from bench.report import describe_machine
from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.components.prompts import load_prompt
from rag.services.rag_service import RagService
from rag.settings import PROJECT_ROOT, Settings


def _questions(n: int) -> list[Question]:
    return [Question(f"Q{i}", f"P{i % 5}", f"问题{i}？", [f"答案{i}"]) for i in range(n)]


def test_a_kind_picks_the_questions_of_that_kind() -> None:
    questions = [
        Question("Q0", "P0", "东湖机场为什么又叫五分钟机场？", ["时间短"]),
        Question("Q1", "P0", "东湖机场后来改名为什么？", ["南湖机场"]),
        Question("Q2", "P1", "丙烯颜料溶于汽油吗？", ["溶于汽油"]),
        Question("Q3", "P1", "何法倪为何被选为皇后？", ["名家之后"]),
        Question("Q4", "P2", "《海边》是谁主演的？", ["王明、李华等"]),
        Question("Q5", "P2", "联盟由哪两个城邦领导？", ["雅典和斯巴达"]),
    ]
    assert [q.query_id for q in of_kind(questions, "why")] == ["Q0", "Q3"]
    assert [q.query_id for q in of_kind(questions, "yes-no")] == ["Q2"]
    assert [q.query_id for q in of_kind(questions, "who")] == ["Q4"]
    # 又叫 asks for other names, which come as a list
    assert [q.query_id for q in of_kind(questions, "several")] == ["Q0", "Q5"]
    assert of_kind(questions, "") == questions


# -- unanswerable selection ----------------------------------------------------------------
def test_the_unanswerable_pick_is_seeded_on_a_stream_of_its_own() -> None:
    questions = _questions(40)
    picked = select_unanswerable(questions, 6, seed=2018)
    assert picked == select_unanswerable(questions, 6, seed=2018)
    # a smaller pick is a prefix of a larger one, like the answered sample
    assert select_unanswerable(questions, 10, seed=2018)[:6] == picked
    # not the answered sample's stream: Random(seed + 1)
    assert picked != sample_questions(questions, 6, seed=2018)
    assert picked == sample_questions(questions, 6, seed=2019)
    assert held_out_passages(picked) == {q.passage_id for q in picked}


def test_a_question_a_kept_passage_answers_verbatim_is_dropped() -> None:
    passages = [
        Passage("P1", "北京大学", "北京大学创办于1898年。"),
        Passage("P2", "清华", "清华大学位于北京西北郊。"),
        Passage("P3", "北京大学校园", "燕园是北京大学的校园。"),
        Passage("P4", "其他", "与问题无关的一段话。"),
    ]
    questions = [
        # its answer is in P3, which is kept: dropped
        Question("Q1", "P1", "燕园是哪所大学的校园？", ["北京大学"]),
        # its answer is only in its own, held-out passage: kept
        Question("Q2", "P1", "北京大学创办于哪一年？", ["1898年"]),
        # one-character answers do not count, though 京 is in kept passages
        Question("Q3", "P2", "清华大学位于哪座城市？", ["京", "北京西北郊"]),
        # the title of a kept passage counts too
        Question("Q4", "P2", "另一个问题？", ["北京大学校园"]),
    ]
    held_out = held_out_passages(questions)
    assert held_out == {"P1", "P2"}
    kept, dropped = drop_answered_elsewhere(questions, passages, held_out)
    assert [q.query_id for q in kept] == ["Q2", "Q3"]
    assert [(d["query_id"], d["found"], d["found_in"]) for d in dropped] == [
        ("Q1", "北京大学", "P3"),
        ("Q4", "北京大学校园", "P3"),
    ]
    assert dropped[0]["question"] == "燕园是哪所大学的校园？"
    # nothing held out: every passage is kept, and answers found in their own passage count
    kept_all, _ = drop_answered_elsewhere(questions, passages, set())
    assert [q.query_id for q in kept_all] == []


# -- summaries and tables ------------------------------------------------------------------
def _record(**fields: Any) -> dict[str, Any]:
    base = {
        "query_id": "Q",
        "question": "问题？",
        "gold": ["答案"],
        "prediction": "答案",
        "em": 1.0,
        "f1": 1.0,
        "seconds": 1.0,
        "refused": False,
        "gold_in_prompt": True,
    }
    return base | fields


def _three_systems() -> dict[str, list[dict[str, Any]]]:
    return {
        "pipeline": [
            _record(text_f1=0.5, raw_f1=0.5, short_answer="答案", prompt_tokens=100),
            _record(
                prediction="",
                em=0.0,
                f1=0.0,
                text_f1=0.0,
                raw_f1=0.4,
                refused=True,
                short_answer="",
                prompt_tokens=300,
            ),
        ],
        "baseline": [
            _record(prediction="答案是答案", em=0.0, f1=0.5, prompt_tokens=None),
            _record(prediction="答案是答案", em=0.0, f1=0.5, prompt_tokens=None),
        ],
        "span_baseline": [_record(prompt_tokens=80), _record(prompt_tokens=120)],
    }


def test_summaries_score_the_short_answer_and_keep_text_f1_and_prompt_tokens() -> None:
    records = _three_systems()
    pipeline = summarise_answers(records["pipeline"])
    assert pipeline["F1"] == 50.0
    assert pipeline["text_F1"] == 25.0
    assert pipeline["F1_before_refusal_checks"] == 45.0
    assert pipeline["refusal_rate"] == 0.5
    assert pipeline["prompt_tokens_mean"] == 200.0
    baseline = summarise_answers(records["baseline"])
    assert "text_F1" not in baseline
    assert "prompt_tokens_mean" not in baseline  # no tokenizer: not available
    assert summarise_answers(records["span_baseline"])["prompt_tokens_mean"] == 100.0


def test_the_unanswerable_summary_reports_refusals_against_the_target() -> None:
    summary = summarise_unanswerable(
        {
            "pipeline": [_record(refused=True)] * 9 + [_record(refused=False)],
            "span_baseline": [_record(prediction="", answered=False)]
            + [_record(prediction="某某", answered=True)] * 3,
        }
    )
    assert summary["pipeline"]["refusal_rate"] == 0.9
    assert summary["pipeline"]["meets_target"] is (REFUSAL_TARGET <= 0.9)
    assert summary["span_baseline"]["answered_rate"] == 0.75
    assert summary["span_baseline"]["questions"] == 4
    assert (
        summarise_unanswerable({"pipeline": [_record(refused=False)]})["pipeline"]["meets_target"]
        is False
    )


def test_the_markdown_shows_three_systems_and_the_unanswerable_block() -> None:
    records = _three_systems()
    report: dict[str, Any] = {
        "machine": describe_machine(),
        "answers": {"seed": 2018, "sample_requested": 2},
        "records": records,
        "unanswerable": {
            "seed": 2019,
            "requested": 3,
            "selected": 3,
            "held_out_passages": ["P1", "P2"],
            "index": {"passages": 5, "chunks": 9},
            "dropped_count": 1,
            "dropped": [],
            "questions": 2,
            "hand_check": [],
            "records": {
                "pipeline": [_record(refused=True), _record(refused=True)],
                "span_baseline": [_record(answered=True), _record(answered=True)],
            },
        },
    }
    text = render_markdown(resummarise(report))
    assert "pipeline: hybrid top-4" in text
    assert "| baseline: BM25 top-3, minimal prompt" in text
    assert "| span baseline: BM25 top-3, answer-span prompt" in text
    assert "prompt tokens / answer" in text
    assert "| 200 |" in text  # pipeline's mean prompt tokens
    assert "short answer" in text
    assert "Unanswerable: 3 questions drawn" in text
    assert "1 dropped" in text
    assert "| pipeline (should refuse) | 2 | 100% | 0% |" in text
    assert "| span baseline (cannot refuse) | 2 | 0% | 100% |" in text
    assert "**met**" in text


def test_an_old_report_without_the_new_keys_still_renders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old_pipeline = {k: v for k, v in _record(raw_f1=1.0).items()}
    old = {
        "machine": describe_machine(),
        "answers": {"seed": 2018, "sample_requested": 1, "llm_load_s": 1.0},
        "records": {"pipeline": [old_pipeline], "baseline": [_record()]},
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    assert main(["--render", str(path)]) == 0
    out = capsys.readouterr().out
    assert "predates short_answer" in out
    assert "| baseline: BM25 top-3" in out
    assert "span baseline" not in out
    assert "Unanswerable" not in out


def test_the_saved_report_in_the_repository_renders(capsys: pytest.CaptureFixture[str]) -> None:
    saved = PROJECT_ROOT / "bench" / "results" / "cmrc.json"
    if not saved.exists():
        pytest.skip("no saved report")
    assert main(["--render", str(saved)]) == 0
    assert "Retrieval, all" in capsys.readouterr().out


def test_a_baseline_counts_prompt_tokens_with_the_models_tokenizer(
    test_settings: Settings, tmp_path: Path
) -> None:
    class CountingLLM(ScriptedLLM):
        def count_tokens(self, text: str) -> int:
            return len(text)

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "P1.txt").write_text("标题\n\n燕园是北京大学的校园。\n", encoding="utf-8")
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([docs], progress=False)
    llm = CountingLLM(["北京大学"])
    baseline = Baseline("span_baseline", llm, load_prompt("bench_span_baseline"))
    question = Question("Q1", "P1", "燕园是哪所大学的校园？", ["北京大学"])
    record = answer_with_baseline(service.index, baseline, "没有答案。", question)
    assert record["prediction"] == "北京大学"
    assert record["em"] == 1.0
    assert record["answered"] is True
    assert record["gold_in_prompt"] is True
    messages = llm.calls[0]
    assert "只输出答案本身" in (messages[0].content or "")
    assert record["prompt_tokens"] == sum(len(m.content or "") for m in messages)
    assert record["completion_tokens"] == len("北京大学")


# -- one whole run on fakes ----------------------------------------------------------------
PASSAGES = [
    (
        "P1",
        "北京大学",
        "北京大学创办于1898年，初名京师大学堂。",
        "北京大学创办于哪一年？",
        "1898年",
    ),
    ("P2", "长江", "长江全长约6300公里，是中国第一长河。", "长江全长约多少公里？", "6300公里"),
    ("P3", "泰山", "泰山位于山东省泰安市，海拔1545米。", "泰山海拔多少米？", "1545米"),
    ("P4", "西湖", "西湖位于浙江省杭州市西部，是著名景区。", "西湖位于哪座城市？", "杭州市"),
]


def test_a_whole_run_on_fake_models_writes_every_part_of_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in __import__("os").environ if k.startswith("RAG_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("RAG_PROFILES", "test")
    monkeypatch.setenv("RAG_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "unused-index"))
    data = tmp_path / "cmrc.json"
    data.write_text(
        json.dumps(
            [
                {
                    "context_id": pid,
                    "title": title,
                    "context_text": text,
                    "qas": [{"query_id": f"{pid}_Q1", "query_text": q, "answers": [a]}],
                }
                for pid, title, text, q, a in PASSAGES
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    argv = ["--data", str(data), "--sample", "2", "--unanswerable", "1", "--out", str(out)]
    assert main(argv) == 0
    report = json.loads(out.read_text(encoding="utf-8"))

    assert report["config"] == {"sample": 2, "seed": 2018, "unanswerable": 1, "kind": ""}
    assert report["ingest"]["passages"] == 4
    assert report["retrieval"]["questions"] == 4
    assert set(report["records"]) == {"pipeline", "baseline", "span_baseline"}
    assert all(len(rows) == 2 for rows in report["records"].values())
    for name in ("pipeline", "baseline", "span_baseline"):
        assert report["answers"][name]["questions"] == 2
    pipeline = report["records"]["pipeline"][0]
    for key in ("short_answer", "text", "text_f1", "raw_answer", "raw_f1", "prompt_tokens"):
        assert key in pipeline
    assert "text_F1" in report["answers"]["pipeline"]
    assert "prompt_tokens" in report["records"]["span_baseline"][0]

    block = report["unanswerable"]
    assert block["seed"] == 2019
    assert block["requested"] == block["selected"] == 1
    held_out = block["held_out_passages"]
    assert len(held_out) == 1
    assert block["index"]["passages"] == 3  # the held-out passage is gone
    assert block["dropped_count"] == 0  # every answer is in its own passage only
    assert block["questions"] == 1
    (check,) = block["hand_check"]
    assert check["top1_passage"] not in held_out
    assert len(check["top1_text"]) <= 200
    (asked,) = block["records"]["pipeline"]
    for key in ("question", "refused", "short_answer", "reason", "seconds"):
        assert key in asked
    assert asked["gold_in_prompt"] is False
    assert len(block["records"]["span_baseline"]) == 1
    assert block["pipeline"]["questions"] == 1
    assert "answered_rate" in block["span_baseline"]

    # --render gives back the same tables from the saved report
    assert main(["--render", str(out)]) == 0


def test_a_question_with_no_text_is_passed_over_in_the_sample() -> None:
    questions = _questions(40)
    full = sample_questions(questions, 40, seed=7)
    blank = full[3]
    questions[questions.index(blank)] = Question(blank.query_id, blank.passage_id, " ", [])
    picked = sample_questions(questions, 10, seed=7)
    assert len(picked) == 10
    assert all(q.text.strip() for q in picked)
    assert picked == [q for q in full if q is not blank][:10]


def test_the_gate_bench_answers_only_what_the_coverage_lets_through(
    test_settings: Any, tmp_path: Path
) -> None:
    from bench.similarity_gate import answer_let_through, summarise
    from tests.conftest import SEEDS

    llm = ScriptedLLM()
    service = RagService(
        test_settings, index_dir=tmp_path / "index", embed_model=HashingEmbedding(), llm=llm
    )
    service.ingest([SEEDS], progress=False)
    floor = test_settings.retrieval.min_term_coverage
    rows = [
        {"question": "外贸进出口总额是多少？", "gated": True, "coverage": floor},
        {"question": "量子计算机的原理", "gated": True, "coverage": floor - 0.1},
        {"question": "克州外贸进出口总额是多少？", "gated": False, "coverage": 1.0},
    ]
    llm.queue("107.37亿元")
    block = answer_let_through(service, rows, {"外贸进出口总额是多少？": ["107.37亿元"]})
    assert [a["question"] for a in block["answers"]] == ["外贸进出口总额是多少？"]
    assert len(llm.calls) == 1
    assert block["refused"] == 0
    assert block["F1"] > 0
    summary = summarise(rows, test_settings)
    assert summary["below_similarity"] == 2
    assert summary["refused_at_setting"] == 1


# -- replay: the model's replies kept by prompt ----------------------------------------------
def test_a_kept_reply_is_given_again_without_asking_the_model(tmp_path: Path) -> None:
    from llama_index.core.base.llms.types import ChatMessage

    from bench.cmrc_replay import KeptReplies

    model = ScriptedLLM(["北京大学", "清华大学"])
    kept = KeptReplies(model, tmp_path / "replies.json")
    ask = [ChatMessage(role="user", content="燕园是哪所大学的校园？")]
    first = "".join(c.delta or "" for c in kept.stream_chat(ask))
    again = KeptReplies(ScriptedLLM(), tmp_path / "replies.json")  # read back from the file
    assert "".join(c.delta or "" for c in again.stream_chat(ask)) == first == "北京大学"
    assert len(model.calls) == 1
    assert again.asked == 0
    other = [ChatMessage(role="user", content="清华园是哪所大学的校园？")]
    assert "".join(c.delta or "" for c in kept.stream_chat(other)) == "清华大学"


def test_compare_lists_the_answers_that_changed(tmp_path: Path) -> None:
    from bench.cmrc_replay import compare

    def report(path: Path, answer: str, f1: float) -> Path:
        record = {
            "query_id": "Q1",
            "question": "谁主演？",
            "gold": ["甲、乙等"],
            "em": 0,
            "f1": f1,
            "short_answer": answer,
            "refused": False,
        }
        path.write_text(json.dumps({"records": [record]}, ensure_ascii=False), encoding="utf-8")
        return path

    text = compare(
        report(tmp_path / "a.json", "甲", 0.5), report(tmp_path / "b.json", "甲、乙等", 1.0)
    )
    assert "+0.50 谁主演？ | 甲 -> 甲、乙等" in text
    assert "1 better, 0 worse" in text
