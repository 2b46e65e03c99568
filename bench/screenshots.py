"""Re-take the README's screenshots: the chat answering three real questions and the /embed
page with the widget open, each answer with its citations; then each of them showing a
disagreement (two articles giving different figures, side by side).

Builds a fresh index of seeds/ in a temporary folder, starts `qa serve` on 127.0.0.1 at a
free port, drives Debian's headless Chromium (/usr/bin/chromium) with Playwright, writes
docs/screenshot-chat.png, docs/screenshot-widget.png, docs/screenshot-chat-disagreement.png and
docs/screenshot-widget-disagreement.png, and stops the server. The answers are whatever the
engine gives today, so re-run it after the ranking changes (it fails if the disagreement
question no longer shows one):

    .venv/bin/python bench/screenshots.py [--out docs] [--chromium /usr/bin/chromium]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAT_QUESTIONS = ("Which groups did Labour's NEC proscribe in July 2021?",
                  "How long did the NEC meeting last?",
                  # one sentence from three outlets, each introducing its speaker in its own words
                  "What did the Labour spokesperson say about the party being broad and welcoming?")
WIDGET_QUESTION = "What did Clive Lewis say about the proscriptions?"
# Two articles give different figures for it (k=3, as the chat and the widget ask).
DISAGREEMENT_QUESTION = "How many Labour members are expected to be expelled over the four banned groups?"
SHOTS = ("screenshot-chat.png", "screenshot-widget.png", "screenshot-chat-disagreement.png",
         "screenshot-widget-disagreement.png")
ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
       "TOKENIZERS_PARALLELISM": "false"}
ANSWERS = "() => document.querySelectorAll('.qa-result, .qa-abstain, .qa-error').length >= {n}"
IDLE = ("() => !document.querySelector('.qa-question textarea').disabled"
        " && !document.querySelector('.qa-question .eta-bar, .qa-question .progress-text')")
# The chat's own scrolling box: its full height decides how tall the page must be to show
# every answer without scrolling (Gradio gives the chatbot 60vh).
CHAT_SCROLL = """() => { const all = [...document.querySelectorAll('.qa-chatbot *')];
  const box = all.find(e => e.scrollHeight > e.clientHeight + 4 && getComputedStyle(e).overflowY !== 'visible');
  return box ? {scroll: box.scrollHeight, client: box.clientHeight} : null; }"""
WIDGET = "document.querySelector('qa-articles-widget').shadowRoot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: Path, data: Path, port: int, log) -> subprocess.Popen:
    env = {**os.environ, **ENV, "QA_DATA_DIR": str(data), "QA_RATE_LIMIT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--index", str(index)], cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"qa serve exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("qa serve did not answer /api/health within 120 s")


def shoot_chat(browser, url: str, out: Path, questions=CHAT_QUESTIONS) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(url + "/")
    for n, question in enumerate(questions, 1):
        box = page.locator(".qa-question textarea")
        box.fill(question)
        box.press("Enter")
        page.wait_for_function(ANSWERS.format(n=n), timeout=120_000)
        page.wait_for_function(IDLE, timeout=60_000)
    if questions != CHAT_QUESTIONS and not page.locator(".qa-disagree").count():
        raise RuntimeError(f"no disagreement shown for {questions[-1]!r}: pick another question")
    # Grow the window until the chat box holds the whole conversation, then shoot it all.
    for _ in range(6):
        box = page.evaluate(CHAT_SCROLL)
        if not box:
            break
        height = page.viewport_size["height"] + int((box["scroll"] - box["client"]) / 0.6) + 40
        page.set_viewport_size({"width": 1100, "height": height})
        page.wait_for_timeout(400)
    page.evaluate("() => window.scrollTo(0, 0)")
    # Down to the question box: the window may have grown past the end of the page.
    bottom = page.evaluate("() => document.querySelector('.qa-question').getBoundingClientRect().bottom")
    page.screenshot(path=str(out), full_page=True, clip={"x": 0, "y": 0, "width": 1100, "height": bottom + 24})
    page.close()


def shoot_widget(browser, url: str, out: Path, question: str = WIDGET_QUESTION, top: str = ".qa-user") -> None:
    """The /embed page with the widget open on ``question``'s answer, scrolled so that the
    element ``top`` (the question; a disagreement) starts the panel."""
    page = browser.new_page(viewport={"width": 1100, "height": 860})
    page.goto(url + "/embed")
    page.wait_for_function(f"() => getComputedStyle({WIDGET}.querySelector('.qa-root')).display !== 'none'")
    page.locator("qa-articles-widget .qa-launcher").click()
    page.locator("qa-articles-widget .qa-input").fill(question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {WIDGET}.querySelectorAll('.qa-bot:not(.qa-wait), .qa-error').length >= 1",
                           timeout=120_000)
    if not page.locator(f"qa-articles-widget {top}").count():
        raise RuntimeError(f"nothing matches {top} after {question!r}: pick another question")
    page.evaluate(f"() => {{ const log = {WIDGET}.querySelector('.qa-log'), el = {WIDGET}.querySelector('{top}');"
                  " log.scrollTop = el.getBoundingClientRect().top - log.getBoundingClientRect().top"
                  " + log.scrollTop - 8; }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(out))
    page.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--corpus", default=str(ROOT / "seeds"))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qa-shots-") as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "qa.cli", "index", args.corpus, "--index", str(tmp / "index"),
                        "--quiet"], cwd=ROOT, env={**os.environ, **ENV}, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        with open(tmp / "serve.log", "w") as log:
            server = start_server(tmp / "index", tmp / "data", port, log)
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=args.chromium,
                                                args=["--headless", "--no-sandbox", "--disable-gpu"])
                    shoot_chat(browser, f"http://127.0.0.1:{port}", out / "screenshot-chat.png")
                    shoot_widget(browser, f"http://127.0.0.1:{port}", out / "screenshot-widget.png")
                    shoot_chat(browser, f"http://127.0.0.1:{port}", out / "screenshot-chat-disagreement.png",
                               (DISAGREEMENT_QUESTION,))
                    shoot_widget(browser, f"http://127.0.0.1:{port}", out / "screenshot-widget-disagreement.png",
                                 DISAGREEMENT_QUESTION, ".qa-disagree")
                    browser.close()
            finally:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    for name in SHOTS:
        print(f"wrote {out / name} ({(out / name).stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
