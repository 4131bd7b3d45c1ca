"""Ingestion: files → repaired Documents → chunks → embeddings → one commit per file."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import BaseNode
from tqdm import tqdm

from rag.components.readers import SUPPORTED_SUFFIXES, RawDocument, read_document
from rag.components.splitter import ChineseSentenceSplitter
from rag.errors import InputFileError
from rag.services.documents import to_documents
from rag.services.index_store import Change, IndexStore
from rag.settings import Settings

# Bump when reading, repair or chunking changes what a file becomes, so re-ingest re-chunks.
PIPELINE_VERSION = "2"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per bad file (with --skip-bad)
    # Files whose content is already in the index under another name: "new -> existing".
    duplicates: list[str] = field(default_factory=list)
    chunks_added: int = 0
    total_chunks: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.replaced)} replaced",
            f"{len(self.unchanged)} unchanged",
            f"{self.chunks_added} chunks written",
            f"{self.total_chunks} chunks in the index",
        ]
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in under another name")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus every supported file below named folders (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in SUPPORTED_SUFFIXES
                    and not p.name.startswith(".")
                )
            )
        elif path.exists():
            files.append(path)
        else:
            raise InputFileError(path, "does not exist", "check the path")
    return list(dict.fromkeys(p.resolve() for p in files))


class IngestService:
    def __init__(self, settings: Settings, index: IndexStore, embed_model: BaseEmbedding) -> None:
        self.settings = settings
        self.index = index
        self.embed_model = embed_model
        self.splitter = ChineseSentenceSplitter(
            chunk_size=settings.chunking.chunk_size, chunk_overlap=settings.chunking.chunk_overlap
        )
        self._fingerprint = json.dumps(
            [PIPELINE_VERSION, settings.chunking.model_dump(), settings.embedding.identity()],
            sort_keys=True,
        ).encode()

    def ingest(
        self, paths: Iterable[Path], progress: bool = True, skip_bad: bool = False
    ) -> IngestReport:
        """Every file is read and chunked once before the index is touched, so a bad file
        stops the whole ingest (unless `skip_bad`) with nothing written. Then each file is
        embedded and committed on its own: a crash or Ctrl-C loses at most the file in
        flight, and the same command resumes (files already in are unchanged). The index's
        write lock is held throughout; another writer waits for it."""
        report = IngestReport()
        files = collect_files(paths)
        with self.index.writing(on_wait=lambda line: _say(line, progress)):
            todo = self._plan(files, report, progress, skip_bad)
            with tqdm(
                total=sum(n for _, _, n in todo), desc="embed", unit="chunk", disable=not progress
            ) as bar:
                for path, digest, _ in todo:
                    nodes = self._chunks(path)  # read again: memory stays flat in files
                    stamp = datetime.now(UTC).isoformat(timespec="seconds")
                    for node in nodes:
                        node.metadata["ingested"] = stamp
                    self._embed(nodes, bar)
                    file_id = str(path)
                    self.index.commit(
                        Change(nodes=nodes, doc_hashes={file_id: digest}), refresh=False
                    )
                    report.chunks_added += len(nodes)
            if todo:
                self.index.refresh()
            report.total_chunks = self.index.chunk_count()
        return report

    def _plan(
        self, files: list[Path], report: IngestReport, progress: bool, skip_bad: bool
    ) -> list[tuple[Path, str, int]]:
        """The files to (re)write, each with its content hash and chunk count."""
        max_bytes = int(self.settings.ingest.max_file_mb * 1_000_000)
        todo: list[tuple[Path, str, int]] = []
        for path in tqdm(files, desc="read", unit="file", disable=not progress or len(files) < 2):
            try:
                raw = read_document(path, max_bytes)  # raises a clear error for a bad file
                digest = hashlib.sha256(self._fingerprint + path.read_bytes()).hexdigest()
                old = self.index.document_hash(str(path))
                if old == digest:
                    report.unchanged.append(path.name)
                    continue
                twin = self.index.document_with_hash(digest)
                if twin is not None and old is None:
                    # The same bytes under another name: a second copy would only double
                    # every hit. (A changed file keeps its name and is replaced below.)
                    report.duplicates.append(f"{path.name} -> {Path(twin).name}")
                    continue
                count = len(self._split(raw, path))
            except InputFileError as exc:
                if not skip_bad:
                    raise
                report.skipped.append(str(exc))
                continue
            todo.append((path, digest, count))
            (report.replaced if old else report.added).append(path.name)
        return todo

    def _chunks(self, path: Path) -> list[BaseNode]:
        max_bytes = int(self.settings.ingest.max_file_mb * 1_000_000)
        return self._split(read_document(path, max_bytes), path)

    def _split(self, raw: RawDocument, path: Path) -> list[BaseNode]:
        nodes = self.splitter.get_nodes_from_documents(to_documents(raw, str(path)))
        for node in nodes:
            node.metadata["start"] = node.start_char_idx or 0  # type: ignore[attr-defined]
            node.metadata["end"] = node.end_char_idx or 0  # type: ignore[attr-defined]
        return nodes

    def _embed(self, nodes: list[BaseNode], bar: tqdm) -> None:
        batch = _EMBED_STEP
        for i in range(0, len(nodes), batch):
            part = nodes[i : i + batch]
            vectors = self.embed_model.get_text_embedding_batch(
                [n.get_content(metadata_mode="embed") for n in part]  # type: ignore[arg-type]
            )
            for node, vector in zip(part, vectors, strict=True):
                node.embedding = vector
            bar.update(len(part))


# Chunks handed to the embedding model at a time: the progress bar moves after each; the model
# sorts them by length and runs them in forward passes of `embedding.batch_size`.
_EMBED_STEP = 32


def _say(line: str, progress: bool) -> None:
    if progress:
        tqdm.write(line, file=sys.stderr)
