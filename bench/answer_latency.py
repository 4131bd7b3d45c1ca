"""Answer latency and tokens before and after a change, on the same machine in one run.

    .venv/bin/python -m bench.answer_latency --before daab5f5 [--set evals/seed_questions.yaml]
        [--out bench/results/answer_latency.json]

Checks out the `--before` revision into a temporary git worktree and runs the eval set through
it and through this tree, one after the other, each in its own process with the same models
and settings (`rag eval`: fresh temporary index of the set's documents, every question
streamed and timed). Prints p50/p95 seconds per answer, time to first token, prompt and
completion tokens, and the quality metrics of both, with the after ÷ before ratios.
The eval file's thresholds are left out (an older revision may not know newer metrics).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.services.evaluation import DEFAULT_EVAL_SET
from rag.settings import PROJECT_ROOT

METRICS = ("answer_accuracy", "refusal_recall", "refusal_precision", "citation_precision")

# Runs `rag eval` of the tree in argv[1]: that tree's package first on the path, whatever
# this environment has installed in editable mode.
_RUN_EVAL = (
    "import sys; tree = sys.argv[1]; sys.path.insert(0, tree); "
    "from rag.frontends.cli import main; "
    "main(['eval', '--set', sys.argv[2], '--out', sys.argv[3]])"
)


def run_eval(tree: Path, eval_file: Path, out: Path) -> dict[str, Any]:
    print(f"rag eval in {tree} …", file=sys.stderr, flush=True)
    subprocess.run(
        [sys.executable, "-c", _RUN_EVAL, str(tree), str(eval_file), str(out)],
        cwd=tree,
        check=False,  # exit 1 only means a threshold was missed
    )
    if not out.exists():
        raise SystemExit(f"rag eval in {tree} wrote no report ({out}): see the output above")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def figures(report: dict[str, Any]) -> dict[str, Any]:
    s = report["summary"]
    return {
        "latency_p50_s": s["latency_s"]["p50"],
        "latency_p95_s": s["latency_s"]["p95"],
        "first_token_p50_s": s["first_token_s"]["p50"],
        "first_token_p95_s": s["first_token_s"]["p95"],
        "prompt_tokens_mean": s["tokens"]["prompt_mean"],
        "completion_tokens_mean": s["tokens"]["completion_mean"],
        **{m: s["metrics"].get(m) for m in METRICS},
    }


def _ratio(after: float | None, before: float | None) -> str:
    return f"{after / before:.2f}" if after is not None and before else "n/a"


def render(report: dict[str, Any]) -> str:
    before, after = report["before"], report["after"]
    rows = []
    for key in before:
        b, a = before[key], after[key]
        ratio = _ratio(a, b) if key not in METRICS else ""
        rows.append([key, "n/a" if b is None else b, "n/a" if a is None else a, ratio])
    return (
        f"Machine: {machine_line(report['machine'])}\n"
        f"Eval set: {report['eval_set']} ({report['questions']} questions); "
        f"before = {report['before_rev']}, after = {report['after_rev']}\n\n"
        + markdown_table(["figure", "before", "after", "after ÷ before"], rows)
    )


def _revision(tree: Path) -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=tree, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="git revision to compare against")
    parser.add_argument("--set", type=Path, default=DEFAULT_EVAL_SET, help="eval file")
    parser.add_argument("--out", type=Path, help="write both reports' figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="answer-latency-") as tmp:
        work = Path(tmp)
        data = yaml.safe_load(args.set.read_text(encoding="utf-8"))
        data.pop("thresholds", None)
        data["documents"] = [str((PROJECT_ROOT / d).resolve()) for d in data["documents"]]
        eval_file = work / "eval.yaml"
        eval_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        before_tree = work / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(before_tree), args.before],
            cwd=PROJECT_ROOT,
            check=True,
        )
        try:
            before = run_eval(before_tree, eval_file, work / "before.json")
            after = run_eval(PROJECT_ROOT, eval_file, work / "after.json")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(before_tree)],
                cwd=PROJECT_ROOT,
                check=False,
            )
    report = {
        "benchmark": "answer latency before/after",
        "command": " ".join(["python -m bench.answer_latency", *(argv or sys.argv[1:])]),
        "machine": describe_machine(),
        "eval_set": str(args.set),
        "questions": len(after["items"]),
        "before_rev": args.before,
        "after_rev": _revision(PROJECT_ROOT),
        "before": figures(before),
        "after": figures(after),
    }
    write_json(args.out, report)
    print(render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
