"""The ONNX export and its runtimes on a tiny sentence-transformers model built here offline
(a 2-layer BERT over a character vocabulary): the same graph code the real model goes through,
in seconds. The real EmbeddingGemma is checked in tests/integration/test_embedding_backends.py."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from rag.components.embedding import (
    ExportedEmbedding,
    SentenceTransformerEmbedding,
    build_embedding,
)
from rag.components.embedding_export import (
    MANIFEST,
    ensure_exported,
    export,
    exported_dir,
    is_current,
    verify,
)
from rag.settings import Settings

TEXTS = [
    "克州1-9月外贸总额是多少？",
    "宿迁",
    "新华社北京9月28日电 今年前三季度，全国规模以上工业增加值同比增长5.8%。" * 3,
    "GDP 107.37亿元",
]


def _tiny_model(folder: Path) -> Path:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Dense,
        Normalize,
        Pooling,
        Transformer,
    )
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import WordLevel
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    chars = sorted(set("".join(TEXTS) + "问文：，。？"))
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *chars])}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Split("", "isolated")]
    )
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    hf = folder / "hf"
    BertModel(config).save_pretrained(hf)
    fast.save_pretrained(hf)
    modules = [
        Transformer(str(hf), max_seq_length=200),
        Pooling(32, "mean"),
        Dense(32, 16),
        Normalize(),
    ]
    st = SentenceTransformer(
        modules=modules, prompts={"query": "问：", "document": "文："}, device="cpu"
    )
    out = folder / "st"
    st.save(str(out))
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the tiny model's folder, its export), exported once for the module."""
    root = tmp_path_factory.mktemp("tiny")
    model = _tiny_model(root)
    folder = ensure_exported(str(model), root / "models")
    return model, folder


def _cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    return (np.array(a) * np.array(b)).sum(axis=1)


@pytest.mark.parametrize(
    ("runtime", "precision"), [("onnxruntime", "f32"), ("openvino", "f32"), ("openvino", "auto")]
)
def test_the_export_gives_the_torch_models_vectors(
    tiny: tuple[Path, Path], runtime: str, precision: str
) -> None:
    model, folder = tiny
    reference = SentenceTransformerEmbedding(str(model), batch_size=4)
    exported = ExportedEmbedding(folder, runtime, precision, batch_size=2)  # type: ignore[arg-type]
    floor = 0.9999 if precision == "f32" else 0.99  # bf16 where the CPU has it
    docs = _cosines(
        exported.get_text_embedding_batch(TEXTS), reference.get_text_embedding_batch(TEXTS)
    )
    assert docs.min() > floor, docs
    queries = _cosines(
        [exported.get_query_embedding(t) for t in TEXTS],
        [reference.get_query_embedding(t) for t in TEXTS],
    )
    assert queries.min() > floor, queries
    # the prompts are the model's own: a query and a document vector of one text differ
    assert (
        float(np.dot(exported.get_query_embedding(TEXTS[0]), exported.get_text_embedding(TEXTS[0])))
        < 0.9999
    )


def test_padding_in_a_batch_does_not_change_a_vector(tiny: tuple[Path, Path]) -> None:
    _, folder = tiny
    exported = ExportedEmbedding(folder, "onnxruntime", "f32", batch_size=4)
    together = exported.get_text_embedding_batch(TEXTS)
    alone = [exported.get_text_embedding(t) for t in TEXTS]
    assert _cosines(together, alone).min() > 0.99999


def test_the_manifest_records_checksums_prompts_and_the_probe(tiny: tuple[Path, Path]) -> None:
    model, folder = tiny
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["prompts"] == {"query": "问：", "document": "文："}
    assert manifest["dimension"] == 16
    assert manifest["probe_min_cosine"] >= 0.9999
    assert {"model.onnx", "tokenizer/tokenizer.json"} <= set(manifest["files"])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())
    assert is_current(folder, str(model))
    assert verify(folder, str(model))


def test_a_changed_source_or_a_damaged_export_is_seen(
    tmp_path: Path, tiny: tuple[Path, Path]
) -> None:
    import shutil

    model, folder = tiny
    copy = tmp_path / "export"
    shutil.copytree(folder, copy)
    graph = copy / "model.onnx"
    data = bytearray(graph.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the full check sees it
    graph.write_bytes(bytes(data))
    assert is_current(copy, str(model))
    assert not verify(copy, str(model))
    graph.write_bytes(bytes(data[:-10]))
    assert not is_current(copy, str(model))
    # the source model was replaced (a fine-tune of the same size): the export is stale
    weights = model / "model.safetensors"
    stat = weights.stat()
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert not is_current(folder, str(model))
    finally:
        os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert is_current(folder, str(model))


def test_a_failed_export_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny: tuple[Path, Path]
) -> None:
    import rag.components.embedding_export as embedding_export

    model, _ = tiny
    monkeypatch.setattr(embedding_export, "MIN_PROBE_COSINE", 1.5)  # no export can pass
    target = exported_dir(str(model), tmp_path)
    with pytest.raises(Exception, match="differs from the torch model"):
        export(str(model), target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_settings_choose_the_backend_and_an_unexportable_model_falls_back_to_torch(
    test_settings: Settings,
    tiny: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import rag.components.embedding as embedding

    model, folder = tiny
    models_dir = folder.parent.parent

    def settings_for(backend: str) -> Settings:
        cfg = test_settings.embedding.model_copy(
            update={"mode": "sentence_transformers", "model": str(model), "backend": backend}
        )
        return test_settings.model_copy(update={"embedding": cfg, "models_dir": models_dir})

    assert isinstance(build_embedding(settings_for("openvino")), ExportedEmbedding)
    assert build_embedding(settings_for("onnxruntime")).runtime == "onnxruntime"  # type: ignore[attr-defined]
    assert isinstance(build_embedding(settings_for("torch")), SentenceTransformerEmbedding)

    def unexportable(path: str, models: Path) -> Path:
        raise RuntimeError("this architecture cannot be exported")

    monkeypatch.setattr(embedding, "ensure_exported", unexportable)
    with caplog.at_level(logging.WARNING):
        fallback = build_embedding(settings_for("openvino"))
    assert isinstance(fallback, SentenceTransformerEmbedding)
    assert "cannot be exported" in caplog.text
    assert "embedding.backend: torch" in caplog.text


def test_questions_from_several_threads_at_once(tiny: tuple[Path, Path]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, folder = tiny
    exported = ExportedEmbedding(folder, "openvino", "f32")
    expected = {t: exported.get_query_embedding(t) for t in TEXTS}
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: (t, exported.get_query_embedding(t)), TEXTS * 10))
    assert all(np.allclose(vector, expected[t], atol=1e-6) for t, vector in got)
