"""Prompt templates from prompts/*.yaml, rendered with strict variables (a missing one is an error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

from rag.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_ENV = Environment(
    undefined=StrictUndefined, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True
)


@dataclass(frozen=True)
class ChatPrompt:
    """A system and a user template; `render` returns the two message texts."""

    name: str
    system: Template
    user: Template
    # Plain values kept with the prompt, such as the refusal sentence.
    values: dict[str, str]

    def render(self, **variables: Any) -> tuple[str, str]:
        return self.system.render(**variables).strip(), self.user.render(**variables).strip()


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> ChatPrompt:
    path = directory / f"{name}.yaml"
    if not path.exists():
        raise FileNotFoundError(
            f"prompt file {path} does not exist (settings answer.prompt={name!r})"
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"system", "user"} <= data.keys():
        raise ValueError(f"{path}: a prompt file needs `system` and `user` templates")
    values = {k: str(v) for k, v in data.items() if k not in ("system", "user")}
    return ChatPrompt(
        name, _ENV.from_string(data["system"]), _ENV.from_string(data["user"]), values
    )
