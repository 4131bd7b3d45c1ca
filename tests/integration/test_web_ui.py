"""The web UI in a real browser: `rag serve` on a loopback port over an index of the seeds,
with the real models, driven by Playwright in Debian's Chromium.

Needs `make browser` (apt-get install chromium + CJK fonts; make test does it). Screenshots
go to tests/artifacts/screenshots/ (git-ignored). About three minutes on 2 cores.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.settings import PROJECT_ROOT
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS

pytestmark = pytest.mark.integration

SHOTS = PROJECT_ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTE = "玉兰湖水库管理处通报\n玉兰湖水库2025年蓄水量为1.28亿立方米，比上年增加两成。\n"
NOTE_QUESTION = "玉兰湖水库2025年蓄水量是多少？"
ANSWER_TIMEOUT_S = 240


def chromium_path() -> str:
    path = os.environ.get("RAG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Debian's Chromium is not installed, so the browser test cannot run: "
            "`make browser` installs it (apt-get install -y chromium fonts-noto-cjk), "
            "or set RAG_CHROMIUM to a Chromium binary"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = tmp_path_factory.mktemp("ui-index")
    cli = [sys.executable, "-m", "rag.frontends.cli"]
    subprocess.run(
        [*cli, "ingest", str(SEEDS), "--index", str(index), "--quiet"],
        check=True,
        env=_env(),
        cwd=PROJECT_ROOT,
    )
    port = free_port()
    log = (index / "serve.log").open("w")
    proc = subprocess.Popen(
        [*cli, "serve", "--index", str(index), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(),
        cwd=PROJECT_ROOT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"rag serve did not start: {(index / 'serve.log').read_text()}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def ask(page: Any, question: str) -> str:
    """Type a question, wait for the streamed answer to finish, return its text."""
    bots = page.locator('[data-testid="bot"]')
    before = bots.count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while time.monotonic() < deadline:
        if bots.count() > before:
            text = str(bots.last.inner_text())
            if "▌" not in text and text.strip():
                return text
        time.sleep(0.5)
    shoot(page, "no-answer")
    pytest.fail(f"no answer to {question!r} within {ANSWER_TIMEOUT_S} s")


def new_conversation(page: Any) -> None:
    page.click("#new-chat")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"bot\"]')")


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_for_status(page: Any, words: str) -> str:
    page.wait_for_function(
        "w => document.querySelector('#documents-status').innerText.includes(w)",
        arg=words,
        timeout=ANSWER_TIMEOUT_S * 1000,
    )
    return str(page.locator("#documents-status").inner_text())


def test_chat_sources_follow_up_upload_and_delete_in_a_browser(
    server: str, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    page.wait_for_selector("#question textarea")

    first = ask(page, "克州1-9月外贸总额")
    assert "107.37亿元" in first
    panel = page.locator("#sources-panel")
    assert "潮涌帕米尔扬帆正当时" in panel.inner_text()
    assert "克孜勒苏日报" in panel.inner_text()
    assert SEED_FOREIGN_TRADE_2025.name in panel.inner_text()
    assert any("107.37亿元" in m for m in panel.locator("mark").all_inner_texts())
    page.locator("#chatbot a.cite").first.click()
    assert page.url.endswith("#src-1")  # the [1] marker leads to its passage in the panel
    shoot(page, "laptop-answer")

    follow = ask(page, "那2024年1至8月呢？")
    assert "65.6亿元" in follow
    assert "按上文理解为" in follow
    shoot(page, "laptop-follow-up")

    page.get_by_role("tab", name="文档").click()
    note = tmp_path / "玉兰湖通报.txt"
    note.write_text(NOTE, encoding="utf-8")
    page.set_input_files("#upload-files input[type=file]", str(note))
    page.click("#upload-button")
    assert "玉兰湖通报.txt：已导入" in wait_for_status(page, "已导入")
    assert "玉兰湖通报.txt" in page.locator("#documents-table").inner_text()
    shoot(page, "laptop-documents")

    page.get_by_role("tab", name="问答").click()
    new_conversation(page)
    found = ask(page, NOTE_QUESTION)
    assert "1.28亿立方米" in found
    assert "玉兰湖通报.txt" in page.locator("#sources-panel").inner_text()

    page.get_by_role("tab", name="文档").click()
    page.locator("#document-pick input").click()
    page.get_by_role("option", name="玉兰湖通报.txt").click()
    page.click("#delete-button")
    assert "已删除 玉兰湖通报.txt" in wait_for_status(page, "已删除")
    assert "玉兰湖通报.txt" not in page.locator("#documents-table").inner_text()

    page.get_by_role("tab", name="问答").click()
    new_conversation(page)
    ask(page, NOTE_QUESTION)
    assert page.locator('[data-testid="bot"] .refusal').count() == 1
    assert "1.28亿立方米" not in page.locator('[data-testid="bot"]').last.inner_text()
    page.close()


def test_the_page_fits_a_phone(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(server)
    page.wait_for_selector("#question textarea")
    assert "107.37亿元" in ask(page, "克州1-9月外贸总额")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px wide)"
    shoot(page, "phone-answer")
    page.get_by_role("tab", name="关于").click()
    assert "embeddinggemma-300m" in page.locator("#about").inner_text()
    shoot(page, "phone-about")
    page.close()
