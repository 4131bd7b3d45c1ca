"""The `rag` command: ingest, ask, chat, inspect, eval, serve, models fetch."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rag.errors import RagError
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.services.answer import Answer
    from rag.services.rag_service import RagService


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "index", None):
        settings = settings.model_copy(update={"index_dir": Path(args.index).resolve()})
    return settings


def _service(args: argparse.Namespace) -> RagService:
    from rag.services.rag_service import RagService

    return RagService(_settings(args))


def cmd_ingest(args: argparse.Namespace) -> int:
    service = _service(args)
    report = service.ingest(
        [Path(p) for p in args.paths], progress=not args.quiet, skip_bad=args.skip_bad
    )
    for line in report.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    print(f"{service.index.dir}: {report.summary()}")
    return 1 if report.skipped else 0


def cmd_ask(args: argparse.Namespace) -> int:
    answer = _service(args).answer(args.question)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    _print_answer(answer)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """Questions from stdin, one per line, each understood with the ones before it; an empty
    line or 「/new」 starts a new conversation, end of input (Ctrl-D) ends it."""
    service = _service(args)
    history: list[str] = []
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("问：", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        question = line.strip()
        if not question or question == "/new":
            history = []
            print("（新的对话）")
            continue
        try:
            answer = service.answer(question, history)
        except (RagError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        if answer.searched != answer.question:
            print(f"（按上文理解为：{answer.searched}）")
        _print_answer(answer)
        history.append(question)


def _print_answer(answer: Answer) -> None:
    if answer.short_answer:
        print(f"答案：{answer.short_answer}")
    print(answer.text)
    for c in answer.citations:
        print(f"  [{c.number}] {c.source} 《{c.title}》 {c.date or ''}".rstrip())
        print(f"      「{c.quote or c.text[:80]}」 (字符 {c.quote_start}–{c.quote_end})")
    if answer.reason:
        print(f"  ({answer.reason})", file=sys.stderr)


def cmd_inspect(args: argparse.Namespace) -> int:
    from rag.services.documents import inspect_file

    settings = load_settings()
    layout = inspect_file(Path(args.file), int(settings.ingest.max_file_mb * 1_000_000))
    if args.json:
        articles = [a.to_json() for a in layout.articles]
        print(json.dumps(articles, ensure_ascii=False, indent=2))
        for item in layout.set_aside:
            print(f"set aside: {json.dumps(item.to_json(), ensure_ascii=False)}", file=sys.stderr)
        return 0
    for i, article in enumerate(layout.articles, start=1):
        byline = f" {article.byline}" if article.byline else ""
        print(f"[{i}] 《{article.title}》 {article.date or '-'} {article.source or '-'}{byline}")
        print(f"    {len(article.text)} chars: {article.text[:60].replace(chr(10), ' ')}…")
    if layout.set_aside:
        print("set aside:")
    for item in layout.set_aside:
        owner = f" → article {item.article + 1}" if item.article is not None else ""
        print(f"  {item.kind}{owner}: {item.text}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.services.evaluation import (
        DEFAULT_EVAL_SET,
        TABLE_HEADER,
        evaluate,
        format_row,
        format_summary,
        load_eval_set,
        write_report,
    )

    eval_set = load_eval_set(Path(args.set).resolve() if args.set else DEFAULT_EVAL_SET)
    index = Path(args.index).resolve() if args.index else None
    where = index or f"a temporary index of {', '.join(map(str, eval_set.documents))}"
    print(f"{eval_set.path}: {len(eval_set.items)} questions on {where}", file=sys.stderr)
    print(TABLE_HEADER)
    report = evaluate(
        eval_set, load_settings(), index, on_result=lambda r: print(format_row(r), flush=True)
    )
    print()
    print(format_summary(report))
    print(f"report: {write_report(report, Path(args.out) if args.out else None)}")
    return 0 if report.passed else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.frontends.ui import serve

    service = _service(args)
    ui = service.settings.ui
    auth = args.auth or (ui.auth.get_secret_value() if ui.auth else None)
    serve(service, args.host or ui.host, args.port or ui.port, auth)
    return 0


def cmd_models_fetch(args: argparse.Namespace) -> int:
    from rag.components.model_catalog import CATALOG
    from rag.components.model_store import ModelStore

    settings = _settings(args)
    names = args.names or [settings.embedding.model, settings.llm.llamacpp.model]
    store = ModelStore(settings.resolved_models_dir())
    for name in names:
        spec = CATALOG.get(name)
        if spec is None:
            print(
                f"{name}: not a catalog model (a local path or your own server); nothing to fetch"
            )
            continue
        path = store.fetch(spec, progress=not args.quiet)
        print(f"{name}: verified {path}")
    _export_embedding(settings)
    return 0


def _export_embedding(settings: Settings) -> None:
    """The ONNX export the embedding backend runs, made or checked now rather than at first use."""
    from rag.components.embedding import exported_backend
    from rag.components.embedding_export import ensure_exported, exported_dir, verify
    from rag.components.model_store import resolve_model

    cfg = settings.embedding
    if cfg.mode != "sentence_transformers":
        return
    path = resolve_model(cfg.model, settings.resolved_models_dir())
    if not exported_backend(cfg, path):
        return
    folder = exported_dir(path, settings.resolved_models_dir())
    if not verify(folder, path):
        shutil.rmtree(folder, ignore_errors=True)
        ensure_exported(path, settings.resolved_models_dir())
    print(f"{cfg.model}: ONNX export for {cfg.backend} verified {folder}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Question answering over Chinese documents, with sources."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    index_help = "index folder (default: settings index_dir, or RAG_INDEX_DIR)"

    p = sub.add_parser("ingest", help="add files or folders (txt, md, html, pdf) to the index")
    p.add_argument("paths", nargs="+")
    p.add_argument("--index", help=index_help)
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="ingest the good files and list the bad ones (exit 1)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question from the index")
    p.add_argument("question")
    p.add_argument("--index", help=index_help)
    p.add_argument(
        "--json",
        action="store_true",
        help="print {answer, short_answer, parts, refused, citations with quotes} as JSON",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "chat", help="a conversation on stdin: follow-ups (「那2024年呢？」) use earlier questions"
    )
    p.add_argument("--index", help=index_help)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "inspect", help="show the articles ingestion finds in a file, and what it sets aside"
    )
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the list of articles as JSON")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser(
        "eval", help="run the fixed eval set; exit 1 when a threshold of the set is missed"
    )
    p.add_argument("--set", help="eval file (default: evals/seed_questions.yaml)")
    p.add_argument(
        "--index",
        help="query this existing index as it is (default: ingest the set's documents "
        "into a fresh temporary index)",
    )
    p.add_argument("--out", help="JSON report path (default: evals/reports/<timestamp>.json)")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the chat UI")
    p.add_argument("--index", help=index_help)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--auth",
        metavar="USER:PASSWORD",
        help="require this login (default: settings ui.auth, or RAG_UI__AUTH)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("models", help="manage the default offline models")
    models = p.add_subparsers(dest="models_command", required=True)
    f = models.add_parser(
        "fetch", help="download, assemble and verify models (reuses verified files)"
    )
    f.add_argument("names", nargs="*", help="catalog names (default: the models in settings)")
    f.add_argument("--quiet", action="store_true")
    f.set_defaults(func=cmd_models_fetch)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
