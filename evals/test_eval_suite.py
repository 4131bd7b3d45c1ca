"""The fixed eval set on the seeds with the real default models: one test per threshold.

The run itself is the `eval_report` fixture (evals/conftest.py): every question once, on a
temporary index, about 8 minutes on 2 cores. Its table and summary print at the end.
"""

from __future__ import annotations

import pytest

from rag.services.evaluation import DEFAULT_EVAL_SET, EvalReport, load_eval_set

pytestmark = pytest.mark.integration

EVAL_SET = load_eval_set(DEFAULT_EVAL_SET)


def test_every_question_was_run(eval_report: EvalReport) -> None:
    assert [r.id for r in eval_report.results] == [i.id for i in EVAL_SET.items]


@pytest.mark.parametrize("metric", sorted(EVAL_SET.thresholds))
def test_threshold(eval_report: EvalReport, metric: str) -> None:
    check = next(c for c in eval_report.checks if c.metric == metric)
    failing = [f"{r.id}: {r.why}" for r in eval_report.results if not r.passed]
    assert check.passed, (
        f"{metric} = {check.value} is below its minimum {check.minimum} "
        "(evals/seed_questions.yaml). Failing items:\n" + "\n".join(failing)
    )
