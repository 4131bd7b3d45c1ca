"""The one typed settings tree: settings.yaml (+ profile files) overridden by RAG_* variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class OpenAIEmbeddingSettings(BaseModel):
    """Any OpenAI-compatible /v1/embeddings endpoint (llama.cpp server, vLLM, Ollama, TEI)."""

    api_base: str = "http://127.0.0.1:8080/v1"
    model: str = "bge-m3"
    api_key: SecretStr = SecretStr("not-needed")
    timeout_s: float = 120.0
    # Prepended to questions and to passages, for models trained with instructions
    # (EmbeddingGemma: "task: search result | query: " / "title: none | text: ").
    query_prefix: str = ""
    document_prefix: str = ""


class EmbeddingSettings(BaseModel):
    mode: Literal["sentence_transformers", "openai", "mock"] = "sentence_transformers"
    # A name from the model catalog (fetched by `rag models fetch`), a local
    # sentence-transformers directory, or a model name sentence-transformers can load.
    model: str = "embeddinggemma-300m"
    # What runs a sentence-transformers model on the CPU: "openvino" (default) or
    # "onnxruntime" run its ONNX export (made once by `rag models fetch`, or at first use);
    # "torch" runs sentence-transformers itself. Vectors agree across backends (cosine
    # >= 0.9998), so switching needs no re-ingest. README "Embedding backends" has the figures.
    backend: Literal["openvino", "onnxruntime", "torch"] = "openvino"
    # "auto": OpenVINO computes in bfloat16 where the CPU supports it natively, else fp32.
    precision: Literal["auto", "f32"] = "auto"
    # Texts per forward pass (and per request to an embeddings server); texts are sorted by
    # length first, and small batches pad less (measured fastest at 4 on 2 cores).
    batch_size: int = 4
    device: str = "cpu"
    mock_dim: int = 256
    openai: OpenAIEmbeddingSettings = Field(default_factory=OpenAIEmbeddingSettings)

    def identity(self) -> str:
        """Which model makes the vectors: an index must be queried with the same one."""
        return {"mock": "mock", "openai": f"openai:{self.openai.model}"}.get(self.mode, self.model)


class LlamaCppSettings(BaseModel):
    # A catalog name or a path to any GGUF file.
    model: str = "qwen2.5-coder-1.5b-instruct"
    n_ctx: int = 4096
    n_threads: int | None = None  # None: all cores


class OpenAISettings(BaseModel):
    api_base: str = "http://127.0.0.1:11434/v1"
    model: str = "qwen2.5:7b-instruct"
    api_key: SecretStr = SecretStr("not-needed")
    timeout_s: float = 120.0


class LLMSettings(BaseModel):
    mode: Literal["llamacpp", "openai", "mock"] = "llamacpp"
    temperature: float = 0.0
    max_tokens: int = 384
    llamacpp: LlamaCppSettings = Field(default_factory=LlamaCppSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)


class ChromaHttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    ssl: bool = False


class VectorStoreSettings(BaseModel):
    mode: Literal["chroma_persistent", "chroma_http"] = "chroma_persistent"
    collection: str = "documents"
    http: ChromaHttpSettings = Field(default_factory=ChromaHttpSettings)


class ChunkingSettings(BaseModel):
    # Characters, not tokens: Chinese has no word boundaries and our models
    # see roughly one token per 1-1.5 characters.
    chunk_size: int = 350
    chunk_overlap: int = 60


class RetrievalSettings(BaseModel):
    top_k: int = 4
    dense_top_k: int = 20
    bm25_top_k: int = 20
    rrf_k: int = 60
    # Below this cosine similarity of the best dense hit, the documents are
    # taken to say nothing about the question and the LLM is not asked ...
    min_dense_similarity: float = 0.3
    # ... unless the top passage writes at least this share of the question's words, each
    # weighted by its rarity (`chinese_tokens.term_coverage`): a short question such as
    # 「核心保护区有多大？」 can sit below the similarity above against the very passage that
    # answers it. Measured on CMRC trial (bench/results/gate_coverage.json): of 1002 answerable
    # questions 15 fall below 0.3, 9 of them pass at 0.6; of 89 unanswerable ones 45 fall
    # below 0.3 and none passes (the highest covers 0.52).
    min_term_coverage: float = 0.6


class AnswerSettings(BaseModel):
    prompt: str = "answer"
    # Share of what the question asks about (its words without time, place and question
    # words) that the evidence sentence, the sentence before it and the article title must
    # contain; below it the figure answers another question and is not accepted.
    min_metric_support: float = 0.34
    # Parts of a multi-part question the model's reply leaves out are asked again, each on
    # its own, in at most this many more calls (0: never; the part is named as missing).
    max_followups: int = 3
    # A reply whose spans only restate the question or are in no passage is asked once
    # more, with the prompt's `retry` hint (false: refused at once).
    retry_unverified: bool = True
    # Characters per passage the model reads, shared by the retrieved passages: each keeps
    # its sentence that shares most with the question, then the best sentences of all
    # (rag/services/passage_window.py); the checks read whole passages. 0: whole passages.
    # Prompt evaluation is most of an answer's time.
    passage_chars: int = 150
    # A retrieved passage whose best sentence weighs less than this share of the best
    # passage's best sentence is not shown to the model (its budget goes to the others); the
    # checks still read it. 0: every retrieved passage is shown. Only with passage_chars > 0.
    min_passage_share: float = 0.3


class IngestSettings(BaseModel):
    max_file_mb: float = 50.0


class UISettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 7860
    # "user:password" for the login page (RAG_UI__AUTH); None: no login (loopback only,
    # `rag serve` warns when bound to another address without one).
    auth: SecretStr | None = None
    # Events (answers, uploads) run at once; more wait in Gradio's queue, up to max_queue,
    # beyond which a new request is turned away with "queue full". Answers share one
    # llama.cpp model behind a lock, so more workers overlap retrieval, not generation.
    concurrency: int = 4
    max_queue: int = 64


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", env_nested_delimiter="__", extra="forbid")

    index_dir: Path = Path("index")
    # None: the user cache dir (~/.cache/rag/models), shared by every checkout.
    models_dir: Path | None = None
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the YAML files, which arrive as init arguments.
        return (env_settings, init_settings)

    def resolved_index_dir(self) -> Path:
        return _under_root(self.index_dir)

    def resolved_models_dir(self) -> Path:
        if self.models_dir is not None:
            return _under_root(self.models_dir)
        return user_cache_dir() / "models"


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag"


def _under_root(path: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(profiles: list[str] | None = None, root: Path = PROJECT_ROOT) -> Settings:
    """settings.yaml, then settings-<profile>.yaml for each profile, then RAG_* variables.

    Profiles come from the argument or from RAG_PROFILES (comma-separated).
    """
    if profiles is None:
        profiles = [p for p in os.environ.get("RAG_PROFILES", "").split(",") if p.strip()]
    data: dict[str, Any] = {}
    for name in ["settings.yaml", *(f"settings-{p.strip()}.yaml" for p in profiles)]:
        path = root / name
        if not path.exists():
            if name == "settings.yaml":
                continue
            raise FileNotFoundError(f"settings profile file {path} does not exist")
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        data = _deep_merge(data, loaded)
    return Settings(**data)
