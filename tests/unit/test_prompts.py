from pathlib import Path

import pytest
from jinja2 import UndefinedError

from rag.components.prompts import load_prompt


def test_answer_prompt_renders_with_its_variables() -> None:
    prompt = load_prompt("answer")
    system, user = prompt.render(
        question="克州外贸总额",
        refusal=prompt.values["refusal"],
        passages=[{"number": 1, "title": "标题", "source": "a.txt", "text": "正文107.37亿元。"}],
    )
    assert prompt.values["refusal"] in system
    assert "[1] 标题：标题\n正文107.37亿元。" in user
    assert user.endswith("问题：克州外贸总额")


def test_a_missing_variable_is_an_error() -> None:
    with pytest.raises(UndefinedError):
        load_prompt("answer").render(question="q", passages=[])


def test_a_prompt_file_needs_both_templates(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("system: hi\n")
    with pytest.raises(ValueError, match="system` and `user"):
        load_prompt("bad", tmp_path)
    with pytest.raises(FileNotFoundError):
        load_prompt("absent", tmp_path)
