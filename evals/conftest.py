"""The eval run shared by evals/ tests, and its table and summary at the end of the pytest output."""

from __future__ import annotations

import pytest

from rag.services.evaluation import (
    DEFAULT_EVAL_SET,
    EvalReport,
    evaluate,
    format_report,
    load_eval_set,
    write_report,
)
from rag.settings import load_settings

_PRINTED = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def eval_report(request: pytest.FixtureRequest) -> EvalReport:
    """Every question of evals/seed_questions.yaml once, with the default models, on a
    temporary index of the set's documents; the JSON report goes to evals/reports/."""
    report = evaluate(load_eval_set(DEFAULT_EVAL_SET), load_settings([]))
    path = write_report(report)
    request.config.stash[_PRINTED] = f"{format_report(report)}\nreport: {path}"
    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    text = config.stash.get(_PRINTED, None)
    if text:
        terminalreporter.write_sep("=", "eval set on the seeds")
        terminalreporter.write_line(text)
