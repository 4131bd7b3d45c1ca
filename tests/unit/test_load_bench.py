"""The load benchmark's report, from a finished run's figures (the run itself needs the models)."""

from bench.load import render


def test_the_report_puts_load_beside_one_at_a_time() -> None:
    report = {
        "machine": {"cores": 2, "cpu": "test", "memory_gb": 1, "gpu": "none", "date": "today"},
        "threads": 8,
        "alone_p50_s": 5.06,
        "alone_p95_s": 5.86,
        "together_p50_s": 38.86,
        "together_p95_s": 53.99,
        "wall_s": 55.2,
        "ingest_s": 43.2,
        "chunks_after": 82,
        "same_answer_as_alone": 8,
    }
    text = render(report)
    assert "| alone, one after another | 5.06 | 5.86 |" in text
    assert "| 8 threads at once + an ingest | 38.86 | 53.99 |" in text
    assert "Same short answer and refusal as alone: 8/8." in text
