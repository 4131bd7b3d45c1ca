"""The documents of one index as a front end manages them: upload, list, delete, inspect.

Uploads are copied into the index folder (`uploads/`) before they are ingested, because a
document's id is its path: a browser upload lands in a new temporary folder every time, and
only a stable path makes re-uploading an unchanged file a no-op and a changed one a
replacement. Each file is checked before it is copied, so a bad file never displaces a good
one of the same name.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.components.page_layout import PageLayout
from rag.components.readers import read_document
from rag.errors import InputFileError, RagError
from rag.services.documents import inspect_file, to_documents
from rag.services.index_store import IndexedDocument, IndexStore
from rag.services.ingest import IngestReport

UPLOADS = "uploads"

Ingest = Callable[[list[Path]], IngestReport]


@dataclass
class UploadReport:
    ingest: IngestReport = field(default_factory=IngestReport)
    rejected: list[str] = field(default_factory=list)  # "name: why — what to do", one per file

    def lines(self) -> list[str]:
        """One line per file, for people: what happened to it."""
        r = self.ingest
        return (
            [f"✅ {name}：已导入" for name in r.added]
            + [f"🔄 {name}：内容有变，已替换旧版本" for name in r.replaced]
            + [f"⏸️ {name}：内容未变，未重复导入" for name in r.unchanged]
            + [
                f"⏸️ {pair.split(' -> ')[0]}：与已导入的 {pair.split(' -> ')[1]} 内容相同，未重复导入"
                for pair in r.duplicates
            ]  # fmt: skip
            + [f"❌ {line}" for line in self.rejected]
        )


class Library:
    def __init__(self, index: IndexStore, ingest: Ingest, max_bytes: int) -> None:
        self.index = index
        self._ingest = ingest
        self.max_bytes = max_bytes

    @property
    def uploads_dir(self) -> Path:
        return self.index.dir / UPLOADS

    def documents(self) -> list[IndexedDocument]:
        return self.index.documents()

    def upload(self, files: Sequence[Path]) -> UploadReport:
        """Check each file, copy the good ones under `uploads/` and ingest them; a bad file
        gets one line in `rejected` and the others still go in."""
        report = UploadReport()
        good: dict[str, Path] = {}
        for path in files:
            name = Path(path).name
            try:
                if name in good:
                    raise InputFileError(name, "was given twice in one upload", "upload it once")
                to_documents(read_document(Path(path), self.max_bytes), name)
            except InputFileError as exc:
                report.rejected.append(f"{name}: {exc.problem} — {exc.fix}")
                continue
            good[name] = Path(path)
        if not good:
            return report
        with self.index.writing():
            self.uploads_dir.mkdir(exist_ok=True)
            copies = []
            for name, path in good.items():
                copy = self.uploads_dir / name
                if Path(path).resolve() != copy.resolve():
                    shutil.copyfile(path, copy)
                copies.append(copy)
            report.ingest = self._ingest(copies)
            known = set(self.index.document_ids())
            for copy in copies:  # a duplicate of another document stays out
                if str(copy.resolve()) not in known:
                    copy.unlink(missing_ok=True)
        return report

    def delete(self, file_id: str) -> int:
        """Remove one document from the index (Chroma, BM25, registry) and, when it was an
        upload, its copy. Returns the number of chunks removed."""
        with self.index.writing():
            removed = self.index.delete_documents([file_id])
            path = Path(file_id)
            if path.parent == self.uploads_dir.resolve():
                path.unlink(missing_ok=True)
        return removed

    def inspect(self, file_id: str) -> PageLayout:
        """What layout repair makes of an ingested file (read again from where it lies)."""
        path = Path(file_id)
        if not path.exists():
            raise RagError(f"{path.name}: the file is no longer at {path}; nothing to inspect")
        return inspect_file(path, self.max_bytes)
