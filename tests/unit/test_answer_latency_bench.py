"""bench/answer_latency.py: the figures it takes from two eval reports and its table."""

from bench.answer_latency import figures, render


def _report(p50: float, prompt: float, accuracy: float) -> dict[str, object]:
    return {
        "items": [{}, {}],
        "summary": {
            "latency_s": {"p50": p50, "p95": p50 * 2},
            "first_token_s": {"p50": p50 / 2, "p95": p50},
            "tokens": {"prompt_mean": prompt, "completion_mean": 5.0},
            "metrics": {"answer_accuracy": accuracy, "refusal_recall": None},
        },
    }


def test_before_and_after_side_by_side_with_ratios() -> None:
    before, after = figures(_report(10.0, 1000.0, 0.7)), figures(_report(5.0, 900.0, 0.9))
    assert before["latency_p50_s"] == 10.0
    assert after["prompt_tokens_mean"] == 900.0
    table = render(
        {
            "machine": {"cores": 2, "cpu": "x", "memory_gb": 24, "date": "today"},
            "eval_set": "evals/seed_questions.yaml",
            "questions": 2,
            "before_rev": "daab5f5",
            "after_rev": "abc",
            "before": before,
            "after": after,
        }
    )
    assert "| latency_p50_s | 10.0 | 5.0 | 0.50 |" in table
    assert "| prompt_tokens_mean | 1000.0 | 900.0 | 0.90 |" in table
    assert "| answer_accuracy | 0.7 | 0.9 |  |" in table
    assert "| refusal_recall | n/a | n/a |  |" in table
