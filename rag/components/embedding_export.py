"""A sentence-transformers model exported once to ONNX, so OpenVINO or ONNX Runtime can run it.

The whole model goes into one graph (transformer, pooling, dense layers, normalisation): token
ids and attention mask in, the sentence vector out. The export is checked against the torch
model on probe texts and recorded in `manifest.json` with each file's size and sha256, the
fingerprint of the source weights (an export of a model that has since changed is stale) and
the prompts and maximum length the runtime needs. EmbeddingGemma on 2 cores: OpenVINO runs it
at ~5x the chunks/s of sentence-transformers fp32 (README "Embedding backends").
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from rag.components.model_store import sha256_of
from rag.errors import ModelFetchError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
GRAPH = "model.onnx"
_FORMAT = 1
# Probe texts: both prompts, short and long, Chinese with digits and Latin letters.
_PROBES = (
    ("query", "克州1-9月外贸总额是多少？"),
    ("query", "江苏2024年新能源汽车产量"),
    ("document", "新华社北京9月28日电 今年前三季度，全国规模以上工业增加值同比增长5.8%。"),
    (
        "document",
        "克孜勒苏柯尔克孜自治州位于新疆西南部，" * 12 + "GDP 107.37亿元，同比增长12.5%。",
    ),
)
# ONNX fp32 against torch fp32 on the probes; measured 1 - 1e-7 for EmbeddingGemma.
MIN_PROBE_COSINE = 0.9999


def exported_dir(model_path: str, models_dir: Path) -> Path:
    """Where the export of the model at `model_path` lives: one folder per source folder."""
    source = Path(model_path).expanduser().resolve()
    key = hashlib.sha1(str(source).encode("utf-8")).hexdigest()[:10]
    return models_dir / "onnx" / f"{source.name}-{key}"


def source_fingerprint(model_path: str) -> dict[str, list[int]]:
    """Size and modification time of every weight file: cheap, and changes when the model does."""
    root = Path(model_path)
    weights = sorted(
        p for p in root.rglob("*") if p.suffix in {".safetensors", ".bin"} and p.is_file()
    )
    return {str(p.relative_to(root)): [p.stat().st_size, p.stat().st_mtime_ns] for p in weights}


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == _FORMAT else None


def is_current(folder: Path, model_path: str) -> bool:
    """Cheap check at load time: the manifest matches the source weights and the file sizes."""
    manifest = read_manifest(folder)
    if manifest is None or manifest.get("source_fingerprint") != source_fingerprint(model_path):
        return False
    files: dict[str, dict[str, Any]] = manifest.get("files", {})
    return bool(files) and all(
        (folder / name).is_file() and (folder / name).stat().st_size == info["size"]
        for name, info in files.items()
    )


def verify(folder: Path, model_path: str) -> bool:
    """Full check: every exported file against the sha256 the manifest recorded."""
    if not is_current(folder, model_path):
        return False
    manifest = read_manifest(folder) or {}
    return all(
        sha256_of(folder / name) == info["sha256"] for name, info in manifest["files"].items()
    )


def ensure_exported(model_path: str, models_dir: Path) -> Path:
    """The verified export of `model_path`, made now if it is missing or stale (about a
    minute for EmbeddingGemma on 2 cores; `rag models fetch` does it ahead of time)."""
    folder = exported_dir(model_path, models_dir)
    if is_current(folder, model_path):
        return folder
    log.warning("exporting %s to ONNX once, into %s (about a minute)", model_path, folder)
    export(model_path, folder)
    return folder


def export(model_path: str, folder: Path) -> None:
    """Export, check against torch on the probes, then move into place whole (or not at all)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_path, device="cpu")
    model.eval()
    prompts = _prompts(model.prompts)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        _write_graph(model, work / GRAPH, torch)
        model.tokenizer.save_pretrained(str(work / "tokenizer"))
        cosine = _probe_cosine(model, work, prompts)
        if cosine < MIN_PROBE_COSINE:
            raise ModelFetchError(
                f"the ONNX export of {model_path} differs from the torch model (probe cosine "
                f"{cosine:.6f} < {MIN_PROBE_COSINE}); nothing was kept. Use it with "
                "embedding.backend: torch."
            )
        files = {
            str(p.relative_to(work)): {"size": p.stat().st_size, "sha256": sha256_of(p)}
            for p in sorted(work.rglob("*"))
            if p.is_file()
        }
        manifest = {
            "format": _FORMAT,
            "source": str(Path(model_path).resolve()),
            "source_fingerprint": source_fingerprint(model_path),
            "prompts": prompts,
            "max_seq_length": int(model.max_seq_length or 512),
            "dimension": int(model.get_embedding_dimension() or 0),
            "probe_min_cosine": cosine,
            "exporter": {name: _version(name) for name in ("torch", "onnxscript", "onnx")},
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        work.chmod(0o755)  # mkdtemp made it private; the other model folders are not
        if folder.exists():
            shutil.rmtree(folder)
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _prompts(prompts: Mapping[str, str | None]) -> dict[str, str]:
    """The prompts sentence-transformers' encode_query / encode_document would use."""
    document = next((prompts[k] for k in ("document", "passage", "corpus") if k in prompts), "")
    return {"query": prompts.get("query") or "", "document": document or ""}


def _write_graph(model: Any, path: Path, torch: Any) -> None:
    class Graph(torch.nn.Module):
        def __init__(self, st: Any) -> None:
            super().__init__()
            self.st = st

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            features = {"input_ids": input_ids, "attention_mask": attention_mask}
            return self.st(features)["sentence_embedding"]

    sample = model.tokenizer(["你好，世界。", "短"], padding=True, return_tensors="pt")
    batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
    # The exporter's notes on its own internals (pytree deprecations, axis renaming) say
    # nothing a user can act on; the probe check below is what tells a good export.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            Graph(model).eval(),
            (sample["input_ids"], sample["attention_mask"]),
            dynamo=True,
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_vector"],
            dynamic_shapes={
                "input_ids": {0: batch, 1: seq},
                "attention_mask": {0: batch, 1: seq},
            },
            verbose=False,
        )
    program.save(str(path), external_data=True)


def _probe_cosine(model: Any, work: Path, prompts: dict[str, str]) -> float:
    """The lowest cosine between torch's vectors and ONNX Runtime's (fp32) on the probes."""
    import numpy as np

    from rag.components.embedding_runtime import open_runtime

    run = open_runtime(work, "onnxruntime", "f32")
    tokenizer = model.tokenizer
    lowest = 1.0
    for kind, text in _PROBES:
        expected = model.encode([prompts[kind] + text], normalize_embeddings=True)[0]
        features = tokenizer(
            [prompts[kind] + text],
            truncation=True,
            max_length=model.max_seq_length,
            return_tensors="np",
        )
        got = run(features["input_ids"], features["attention_mask"])[0]
        cos = float(np.dot(expected, got) / (np.linalg.norm(expected) * np.linalg.norm(got)))
        lowest = min(lowest, cos)
    return lowest


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"
