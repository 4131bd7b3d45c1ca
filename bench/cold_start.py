"""Cold start: from a fresh process to the first answer, from Python and from `rag serve`.

    .venv/bin/python -m bench.cold_start [--runs 2] [--out bench/results/cold_start.json]

The seeds are ingested into a temporary index first (not timed). Then, each in a new
process (so nothing is warm but the OS file cache, as on a second start of the day):

1. Python: `from rag import answer; answer(q)`, timed from before the import to the answer,
   and a second process that times each step on its own: import, opening the index, loading
   the embedding model, loading the LLM, loading the keyword index, the answer itself.
2. `rag serve`: from starting the command to the page answering, then to the first answer
   through the API (`gradio_client`, /ask): the first request loads the models.

Only figures are printed; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.report import describe_machine, machine_line, markdown_table, write_json
from rag.settings import PROJECT_ROOT

QUESTION = "克州1-9月外贸总额"

STEPS = """
import json, time
t = [time.perf_counter()]
import rag
from rag.frontends.api import default_service
t.append(time.perf_counter())
service = default_service()
t.append(time.perf_counter())
service.embed_model
t.append(time.perf_counter())
service.llm
t.append(time.perf_counter())
service.index.bm25()
t.append(time.perf_counter())
answer = service.answer({question!r})
t.append(time.perf_counter())
names = ["import", "open index", "embedding model", "LLM", "keyword index", "first answer"]
print(json.dumps({{"steps": {{n: round(b - a, 2) for n, a, b in zip(names, t, t[1:])}},
                   "short_answer": answer.short_answer}}, ensure_ascii=False))
"""

PLAIN = """
import time
started = time.perf_counter()
from rag import answer
a = answer({question!r})
print(round(time.perf_counter() - started, 2), a.short_answer)
"""


def _env(index: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_INDEX_DIR=str(index), GRADIO_ANALYTICS_ENABLED="False")
    return env


def _python(code: str, index: Path) -> str:
    """Run `code` (with the question filled in) in a new interpreter; its stdout."""
    return subprocess.run(
        [sys.executable, "-c", code.format(question=QUESTION)],
        env=_env(index),
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    ).stdout


def python_cold_start(index: Path) -> dict[str, Any]:
    started = time.perf_counter()
    out = _python(PLAIN, index).split()
    process_s = time.perf_counter() - started
    steps = _python(STEPS, index)
    return {
        "import_to_answer_s": float(out[0]),
        "process_s": round(process_s, 2),
        "short_answer": out[1] if len(out) > 1 else "",
        "steps_s": json.loads(steps.strip().splitlines()[-1])["steps"],
    }


def serve_cold_start(index: Path) -> dict[str, Any]:
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.frontends.cli", "serve", "--port", str(port)],
        env=_env(index),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=PROJECT_ROOT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        page_s = time.perf_counter() - started
        answer = Client(url, verbose=False).predict(QUESTION, [], api_name="/ask")
        answer_s = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "page_s": round(page_s, 2),
        "first_answer_s": round(answer_s, 2),
        "short_answer": answer["short_answer"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    machine = describe_machine()
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        index = Path(tmp) / "index"
        subprocess.run(
            [sys.executable, "-m", "rag.frontends.cli", "ingest", str(PROJECT_ROOT / "seeds"),
             "--quiet"],
            env=_env(index),
            check=True,
            cwd=PROJECT_ROOT,
        )  # fmt: skip
        runs = [
            {"python": python_cold_start(index), "serve": serve_cold_start(index)}
            for _ in range(args.runs)
        ]
    print(machine_line(machine))
    print(
        markdown_table(
            ["run", "import → answer s", "process s", "rag serve → page s", "→ first answer s"],
            [
                [
                    i + 1,
                    r["python"]["import_to_answer_s"],
                    r["python"]["process_s"],
                    r["serve"]["page_s"],
                    r["serve"]["first_answer_s"],
                ]
                for i, r in enumerate(runs)
            ],
        )  # fmt: skip
    )
    steps = runs[-1]["python"]["steps_s"]
    print(markdown_table(list(steps), [list(steps.values())]))
    write_json(
        args.out,
        {
            "benchmark": "cold start to the first answer",
            "command": "python -m bench.cold_start --out bench/results/cold_start.json",
            "machine": machine,
            "question": QUESTION,
            "runs": runs,
        },
    )


if __name__ == "__main__":
    main()
