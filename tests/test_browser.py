"""The chat page and the widget in a real browser (Debian's headless Chromium).

One browser per module; servers on 127.0.0.1 at random ports: the QA server, an allowed
"host page" site and a disallowed one (different ports are different origins)."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import write_corpus
from qa.serve.chat import ASK_PLACEHOLDER
from livesrv import LiveServer, StaticSite

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / ".cache" / "screenshots"
JULY = "How long did the July NEC meeting last?"
Q = "What did the party spokesperson say about the bans?"
# Arrow functions, not bare expressions: Playwright evals bare ones, which the page's CSP forbids.
DONE = "() => document.querySelectorAll('.qa-result, .qa-abstain, .qa-error').length >= {n}"
HOSTILE = """<!doctype html><html><head><meta charset="utf-8"><title>Host</title><style>
* { color: red !important; font-size: 40px !important; font-family: "Comic Sans MS", cursive !important; }
button { display: none !important; }  div { display: none !important; }  html { font-size: 50px; }
blockquote { border: 9px solid lime !important; }  ol, li { list-style: none !important; }
</style></head><body><h1>A newspaper page</h1><p><a href="#top">A link before the widget</a></p>
<script src="{server}/widget.js" data-title="Ask the articles" data-color="#b00" async></script>
</body></html>"""
PROBE = """(sel) => { const root = document.querySelector('qa-articles-widget').shadowRoot;
  const e = root.querySelector(sel); if (!e) return null; const s = getComputedStyle(e);
  return {display: s.display, color: s.color, fontSize: s.fontSize, fontFamily: s.fontFamily,
          background: s.backgroundColor, border: s.borderLeftWidth, width: s.width}; }"""
FOCUS = "() => { const r = document.querySelector('qa-articles-widget'); const a = r && r.shadowRoot.activeElement;" \
        " return a ? (a.id || a.className) : null; }"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    good, evil = tmp_path_factory.mktemp("host"), tmp_path_factory.mktemp("evil")
    for folder in (good, evil):
        (folder / "favicon.ico").write_bytes(b"")      # no 404 noise in the console checks
    with StaticSite(good) as g, StaticSite(evil) as e:
        yield {"good": g, "good_dir": good, "evil": e, "evil_dir": evil}


@pytest.fixture(scope="module")
def live(assistant, sites, tmp_path_factory):
    from qa.serve.server import Settings, create_app

    settings = Settings(allowed_origins=(sites["good"].url,), data_dir=tmp_path_factory.mktemp("data"))
    app = create_app(assistant, settings)
    with LiveServer(app) as srv:
        srv.app = app
        for key in ("good_dir", "evil_dir"):
            (sites[key] / "index.html").write_text(HOSTILE.replace("{server}", srv.url), encoding="utf-8")
        yield srv


def _page(browser, width=1280, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.errors, page.foreign = [], []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith("http") and "127.0.0.1" not in r.url and page.foreign.append(r.url))
    return page


def _chat_ask(page, question, n):
    box = page.locator(".qa-question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(DONE.format(n=n), timeout=60_000)
    page.wait_for_function("() => !document.querySelector('.qa-question textarea').disabled"
                           " && !document.querySelector('.qa-question .eta-bar, .qa-question .progress-text')")
    return page.locator(".qa-result, .qa-abstain, .qa-error").nth(n - 1)


def _shown_order(result) -> list[int]:
    """Answer positions in the order the chat and the widget show them (qa.serve.render.layout:
    a disagreement's sides together, where its first answer ranks)."""
    from qa.serve.render import layout

    return [i for item in layout(result) if item[0] != "notice"
            for i in ([item[1]] if item[0] == "answer" else [j for side in item[2] for j in side])]


def _shown_quotes(result) -> list[str]:
    return [result["answers"][i]["text"] for i in _shown_order(result)]


def _check_shown(msg, result):
    """The message shows exactly the result: its quotes (as text) or its abstention."""
    if result["abstained"]:
        assert msg.get_attribute("class") == "qa-abstain"
        assert msg.text_content() == result["message"]
        return
    quotes = msg.locator(".qa-quote").all_text_contents()
    assert quotes == _shown_quotes(result)
    first = result["answers"][_shown_order(result)[0]]["citations"][0]
    link = msg.locator(".qa-cite").first.locator("a")
    assert link.text_content() == first["title"] and link.get_attribute("href") == first["url"]
    assert link.get_attribute("rel") == "noopener noreferrer"


def test_chat_page_quotes_with_citations(browser, live, assistant):
    page = _page(browser)
    page.goto(live.url + "/")
    msg = _chat_ask(page, JULY, 1)
    _check_shown(msg, assistant.ask(JULY).to_dict())
    msg = _chat_ask(page, Q, 2)
    # the question box keeps its prompt after answers (ChatInterface blanks it while answering)
    page.wait_for_function("() => document.querySelector('.qa-question textarea').placeholder"
                           f" === {json.dumps(ASK_PLACEHOLDER)}", timeout=5_000)
    expected = assistant.ask(Q, history=[JULY]).to_dict()
    assert not expected["abstained"]
    _check_shown(msg, expected)
    page.screenshot(path=str(SHOTS / "chat-desktop.png"))
    # Thumbs up on the last answer lands in the SQLite store with the question.
    page.get_by_role("button", name="Like", exact=True).last.click()
    store = live.app.state.feedback
    for _ in range(50):
        if store.recent(1):
            break
        page.wait_for_timeout(100)
    row = store.recent(1)[0]
    assert row["question"] == Q and row["rating"] == 1
    assert [a["text"] for a in row["answers"]] == [a["text"] for a in expected["answers"]]
    assert page.errors == [] and page.foreign == []        # CSP held nothing back; nothing third-party
    page.close()


# Real questions whose answers cite seed articles with no known publisher (null) and one with
# no known date: each citation shows what is known, and nothing where it is not.
NULLS = ("What did Clive Lewis say about the proscriptions?", "How many members could be expelled?")
MISSING = re.compile(r"\b(?:None|null|undefined|NaN|Invalid Date)\b|·\s*·|·\s*$|^\s*·|\(\s*\)")


def _expected_meta(cite: dict) -> str:
    from qa.serve.render import nice_date

    return " · ".join(p for p in (cite["source"], nice_date(cite["date"])) if p)


def _check_citation_meta(items, results: list) -> None:
    """Each shown citation (an <li>) carries exactly its known publisher and date."""
    # in the order shown: a disagreement's answers are drawn together (qa.serve.render.layout)
    cites = [c for r in results for i in _shown_order(r) for c in r["answers"][i]["citations"]]
    assert any(c["source"] is None for c in cites) and any(c["date"] is None for c in cites)
    assert items.count() == len(cites)
    for li, cite in zip(items.all(), cites):
        assert not MISSING.search(li.text_content()), li.text_content()
        meta, want = li.locator(".qa-cite-meta"), _expected_meta(cite)
        if want:
            assert meta.text_content().strip() == want
        else:
            assert meta.count() == 0


def test_null_publishers_and_dates_show_cleanly(browser, live, assistant):
    expected = [assistant.ask(NULLS[0]).to_dict(), assistant.ask(NULLS[1], history=[NULLS[0]]).to_dict()]
    chat = _page(browser)
    chat.goto(live.url + "/")
    for n, question in enumerate(NULLS, 1):
        _chat_ask(chat, question, n)
    _check_citation_meta(chat.locator(".qa-result .qa-cite"), expected)
    widget = _page(browser)
    widget.goto(live.url + "/embed")
    _open_widget_with_keyboard(widget)
    for n, question in enumerate(NULLS, 1):
        _widget_ask(widget, question, n)
    _check_citation_meta(widget.locator("qa-articles-widget .qa-cite"), expected)
    assert chat.errors == [] and widget.errors == []
    chat.close()
    widget.close()


LIMITED = re.compile(r"Too many questions: try again in (\d+) s\.")


def test_chat_limit_counts_questions_and_says_so_in_the_chat(browser, assistant, tmp_path):
    """Three questions a minute allowed: the page sends about ten POSTs a question, and all
    three are answered; the fourth gets the server's message as the reply, not an error toast."""
    from qa.serve.server import Settings, create_app

    app = create_app(assistant, Settings(rate_limit_per_minute=3, data_dir=tmp_path))
    with LiveServer(app) as srv:
        page = _page(browser)
        posts = []
        page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
        page.goto(srv.url + "/")
        for n, question in enumerate((JULY, Q, NULLS[1]), 1):
            assert _chat_ask(page, question, n).get_attribute("class") in ("qa-result", "qa-abstain")
        page.get_by_role("button", name="Like", exact=True).last.click()     # a POST, not a question
        assert len(posts) > 3 * 3, posts                   # far more HTTP requests than questions
        msg = _chat_ask(page, NULLS[0], 4)
        assert msg.get_attribute("class") == "qa-error"
        m = LIMITED.fullmatch(msg.text_content())
        assert m and 0 < int(m.group(1)) <= 60
        assert page.locator(".toast-body").count() == 0      # no Gradio "Error" pill
        assert page.errors == []
        page.screenshot(path=str(SHOTS / "chat-limited.png"))
        page.close()


def test_chat_page_on_a_phone(browser, live):
    page = _page(browser, 390, 844)
    page.goto(live.url + "/")
    _chat_ask(page, Q, 1)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390                                     # no sideways scrolling
    page.screenshot(path=str(SHOTS / "chat-phone.png"))
    assert page.errors == []
    page.close()


def _open_widget_with_keyboard(page):
    page.wait_for_function("() => { const h = document.querySelector('qa-articles-widget');"
                           " return h && getComputedStyle(h.shadowRoot.querySelector('.qa-root')).display !== 'none'; }")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS) == "qa-launcher":
            break
    assert page.evaluate(FOCUS) == "qa-launcher"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUS) == "qa-input"              # focus moved into the dialog


UNSURE_Q = "How long did the NEC meeting last?"    # answered, but below the confident score


def _widget_ask(page, question, n=1):
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('qa-articles-widget').shadowRoot"
                           f".querySelectorAll('.qa-bot:not(.qa-wait), .qa-error').length >= {n}", timeout=60_000)


def test_widget_on_an_allowed_host_page(browser, live, sites, assistant):
    clean = _page(browser)
    clean.goto(live.url + "/embed")                         # same widget, page without hostile CSS
    _open_widget_with_keyboard(clean)
    _widget_ask(clean, Q)
    page = _page(browser)
    page.goto(sites["good"].url + "/index.html")
    _open_widget_with_keyboard(page)
    panel = page.locator("qa-articles-widget .qa-panel")
    assert panel.get_attribute("role") == "dialog"
    assert page.locator("qa-articles-widget .qa-log").get_attribute("aria-live") == "polite"
    _widget_ask(page, Q)
    expected = assistant.ask(Q).to_dict()
    quotes = page.locator("qa-articles-widget .qa-quote").all_text_contents()
    assert quotes == [a["text"] for a in expected["answers"]]
    link = page.locator("qa-articles-widget .qa-cite a").first
    first = expected["answers"][0]["citations"][0]
    assert link.text_content() == first["title"] and link.get_attribute("href") == first["url"]
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener noreferrer"
    page.screenshot(path=str(SHOTS / "widget-hostile-host.png"))
    for sel in (".qa-panel", ".qa-quote", ".qa-cite a", ".qa-send", ".qa-input", ".qa-title"):
        assert page.evaluate(PROBE, sel) == clean.evaluate(PROBE, sel), sel
    assert page.evaluate(PROBE, ".qa-quote")["color"] != "rgb(255, 0, 0)"
    unsure = assistant.ask(UNSURE_Q, history=[Q]).to_dict()   # answered, with "may not answer" first
    assert not unsure["abstained"] and unsure["message"]
    page.locator("qa-articles-widget .qa-input").focus()
    _widget_ask(page, UNSURE_Q, n=2)
    notes = [r["message"] for r in (expected, unsure) if r["message"]]
    assert page.locator("qa-articles-widget .qa-bot .qa-note").all_text_contents() == notes
    assert page.locator("qa-articles-widget .qa-quote").count() == len(expected["answers"]) + len(unsure["answers"])
    page.keyboard.press("Escape")                           # closes, focus back on the button
    assert panel.is_hidden() and page.evaluate(FOCUS) == "qa-launcher"
    launcher = page.evaluate(PROBE, ".qa-launcher")
    assert launcher["display"] == "flex" and launcher["background"] == "rgb(187, 0, 0)"
    assert launcher["fontSize"] == "15px"
    assert page.errors == [] and page.foreign == []
    page.close()
    clean.close()


def test_disallowed_origin_cannot_read_the_api(browser, live, sites):
    page = _page(browser)
    page.goto(sites["evil"].url + "/index.html")
    script = """async ([url, creds]) => { try { const r = await fetch(url + '/api/ask', {method: 'POST',
        credentials: creds, headers: {'Content-Type': 'application/json'}, body: '{"question": "x"}'});
        return 'read ' + r.status; } catch (e) { return 'blocked'; } }"""
    assert page.evaluate(script, [live.url, "omit"]) == "blocked"
    assert page.evaluate(script, [live.url, "include"]) == "blocked"
    _open_widget_with_keyboard(page)
    page.wait_for_selector("qa-articles-widget .qa-error", timeout=20_000)    # health probe failed
    _widget_ask(page, Q)
    errors = page.locator("qa-articles-widget .qa-error").all_text_contents()
    assert errors and all("can't be reached" in e and "not be allowed" in e for e in errors)
    assert page.locator("qa-articles-widget .qa-quote").count() == 0
    page.screenshot(path=str(SHOTS / "widget-disallowed.png"))
    # The allowed host reads the API without credentials; with credentials it cannot (none are granted).
    good = _page(browser)
    good.goto(sites["good"].url + "/index.html")
    assert good.evaluate(script, [live.url, "omit"]) == "read 200"
    assert good.evaluate(script, [live.url, "include"]) == "blocked"
    page.close()
    good.close()


HOSTILE_ARTICLE = """Ferry timetable row causes alarm in Port Veller

The Port Veller ferry timetable was replaced overnight by a notice reading <img src=x onerror="window.pwned=1"> in large letters.
Port manager Ines Calloway said the notice board also showed <script>window.pwned=1</script> before it was taken down.
The ferry company said the crossing to Saltmere would run as normal on Friday.
"""


@pytest.fixture(scope="module")
def hostile_live(build_index, encoder, tmp_path_factory):
    from qa.answer.engine import Assistant
    from qa.serve.server import Settings, create_app

    folder = write_corpus(tmp_path_factory.mktemp("hostile"), {"ferry.txt": HOSTILE_ARTICLE},
                          {"ferry.txt": {"title": "Ferry <b>row</b> <script>window.pwned=1</script>",
                                         "source": "The <i>Veller</i> Echo", "date": "2024-05-03",
                                         "url": "https://echo.example/ferry?a=<b>&b=\"x\""}})
    a = Assistant(build_index([folder]))
    a.encoder = encoder
    with LiveServer(create_app(a, Settings(data_dir=tmp_path_factory.mktemp("d")))) as srv:
        srv.assistant = a
        yield srv


def test_article_markup_stays_text(browser, hostile_live):
    question = "What did the notice board show?"
    expected = hostile_live.assistant.ask(question).to_dict()
    texts = [a["text"] for a in expected["answers"]]
    assert any("<script>" in t for t in texts) or any("<img" in t for t in texts)
    chat = _page(browser)
    chat.goto(hostile_live.url + "/")
    msg = _chat_ask(chat, question, 1)
    assert msg.locator(".qa-quote").all_text_contents() == texts
    assert msg.locator("script, img, b, i").count() == 0
    assert msg.locator(".qa-cite a").first.text_content() == "Ferry <b>row</b> <script>window.pwned=1</script>"
    chat.locator("details.qa-context summary").first.click()
    chat.wait_for_timeout(300)
    assert chat.evaluate("() => typeof window.pwned") == "undefined"
    chat.screenshot(path=str(SHOTS / "chat-hostile-article.png"))
    widget = _page(browser)
    widget.goto(hostile_live.url + "/embed")
    _open_widget_with_keyboard(widget)
    _widget_ask(widget, question)
    assert widget.locator("qa-articles-widget .qa-quote").all_text_contents() == texts
    assert widget.locator("qa-articles-widget .qa-answer").locator("script, img, b, i").count() == 0
    widget.locator("qa-articles-widget details.qa-context summary").first.click()
    widget.wait_for_timeout(300)
    assert widget.evaluate("() => typeof window.pwned") == "undefined"
    assert chat.errors == [] and widget.errors == []
    chat.close()
    widget.close()


# ------------------------------------------------------------------ disagreements and lead-ins (#11, #15)
# Real questions on the seed articles (k=3, as the chat and the widget ask): different figures
# from different articles, one statement quoted in different words, and one sentence printed by
# several outlets, each introducing it in its own words.
FIGURES_Q = "How many Labour members are expected to be expelled over the four banned groups?"
WORDING_Q = "Momentum said the proscriptions would create time-consuming and pointless investigations"
LEAD_Q = "What did the Labour spokesperson say about the party being broad and welcoming?"


def _check_disagreements(msg, result, kind):
    """Each disagreement: its message, then its sides side by side, each side its quotes
    with their own citations; the answers in the order qa.serve.render.layout gives."""
    from qa.serve.render import SIDE_LABELS, layout

    groups = [item for item in layout(result) if item[0] == "group"]
    assert any(g[1]["kind"] == kind for g in groups), result["disagreements"]
    assert msg.locator(".qa-quote").all_text_contents() == _shown_quotes(result)
    shown = msg.locator(".qa-disagree")
    assert shown.count() == len(groups)
    for n, (_, dis, sides) in enumerate(groups):
        box = shown.nth(n)
        assert box.locator(".qa-disagree-msg").text_content() == dis["message"]
        assert box.get_attribute("role") == "group"      # (Gradio's sanitiser drops the chat's aria-label)
        cols = box.locator(".qa-side")
        assert cols.count() == len(sides)
        for k, side in enumerate(sides):
            col = cols.nth(k)
            assert col.locator(".qa-side-label").text_content() == f"{SIDE_LABELS[dis['kind']]} {k + 1}"
            assert col.locator(".qa-quote").all_text_contents() == [result["answers"][i]["text"] for i in side]
            titles = [c["title"] for i in side for c in result["answers"][i]["citations"]]
            assert [t.strip() for t in col.locator(".qa-cite > a, .qa-cite > span:first-child").all_text_contents()] \
                == titles
        first, second = cols.nth(0).bounding_box(), cols.nth(1).bounding_box()
        assert abs(first["y"] - second["y"]) < 2 and second["x"] > first["x"] + first["width"] - 2   # side by side


def _check_lead_ins(msg, result):
    first = result["answers"][_shown_order(result)[0]]
    leads = [c["lead_in"] for c in first["citations"] if c["lead_in"]]
    assert len(leads) > 1, first                         # a merged quote from several outlets
    assert msg.locator(".qa-lead-in").first.text_content() == f"“{leads[0]}”"
    items = msg.locator(".qa-answer").first.locator(".qa-cite")
    for li, cite in zip(items.all(), first["citations"]):
        lead = li.locator(".qa-cite-lead")
        assert (lead.text_content() if lead.count() else None) == (f"“{cite['lead_in']}”" if cite["lead_in"] else None)


def test_chat_shows_disagreements_side_by_side_and_merged_quotes_speakers(browser, live, assistant):
    for question, kind in ((FIGURES_Q, "figures"), (WORDING_Q, "wording"), (LEAD_Q, None)):
        page = _page(browser)
        page.goto(live.url + "/")
        msg = _chat_ask(page, question, 1)
        expected = assistant.ask(question).to_dict()
        if kind:
            _check_disagreements(msg, expected, kind)
            page.screenshot(path=str(SHOTS / f"chat-{kind}.png"))
        else:
            _check_lead_ins(msg, expected)
        assert page.errors == []
        page.close()


def test_widget_shows_disagreements_side_by_side_and_merged_quotes_speakers(browser, live, assistant):
    for question, kind in ((FIGURES_Q, "figures"), (WORDING_Q, "wording"), (LEAD_Q, None)):
        page = _page(browser)
        page.goto(live.url + "/embed")
        _open_widget_with_keyboard(page)
        _widget_ask(page, question)
        msg = page.locator("qa-articles-widget .qa-bot").last
        expected = assistant.ask(question).to_dict()
        if kind:
            _check_disagreements(msg, expected, kind)
            assert msg.locator(".qa-disagree").first.get_attribute("aria-label") == expected["disagreements"][0]["message"]
            page.screenshot(path=str(SHOTS / f"widget-{kind}.png"))
        else:
            _check_lead_ins(msg, expected)
        assert page.errors == []
        page.close()


EVIL = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'


def _made_up_result():
    """A result no ranking change can alter: hostile strings where article or engine text
    goes, one answer in two disagreements, and one disagreement that cannot be drawn."""
    def answer(i, lead=None):
        return {"text": f"Quote {i} {EVIL}", "score": 0.9, "context": {},
                "citations": [{"doc_id": f"d{i}", "title": f"Title {i}", "source": None, "date": None, "url": None,
                               "passage_id": "p", "start": 0, "end": 1, "lead_in": lead}]}
    return {"question": "q", "read_as": "Read " + EVIL, "abstained": False, "message": None,
            "answers": [answer(0, lead=EVIL), answer(1), answer(2), answer(3)],
            "disagreements": [{"kind": "figures", "message": "Figures " + EVIL, "answers": [[1], [3]]},
                              {"kind": "wording", "message": "Wording " + EVIL, "answers": [[3], [2]]},
                              {"kind": "figures", "message": "Broken " + EVIL, "answers": [[0], [99]]}]}


def test_widget_shows_made_up_disagreements_as_text_in_the_shared_order(browser, live):
    made_up = _made_up_result()
    page = _page(browser)
    page.route("**/api/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(made_up)))
    page.goto(live.url + "/embed")
    _open_widget_with_keyboard(page)
    _widget_ask(page, "anything")
    msg = page.locator("qa-articles-widget .qa-bot").last
    # The broken one: its message alone, first; then 0, the figures group (1 | 3), the wording group (3 | 2).
    assert msg.locator(".qa-disagree-msg").all_text_contents() == ["Broken " + EVIL, "Figures " + EVIL,
                                                                    "Wording " + EVIL]
    assert msg.locator(".qa-quote").all_text_contents() == [f"Quote {i} {EVIL}" for i in (0, 1, 3, 3, 2)]
    assert msg.locator(".qa-side-label").all_text_contents() == ["Account 1", "Account 2", "Wording 1", "Wording 2"]
    assert msg.locator(".qa-lead-in").all_text_contents() == [f"“{EVIL}”"]
    assert msg.locator(".qa-read-as").all_text_contents() == [f"Read as: “Read {EVIL}”"]
    assert msg.locator(".qa-cite-lead").all_text_contents() == [f"“{EVIL}”"]
    assert [int(x) for x in msg.locator(".qa-cites").evaluate_all("els => els.map(e => e.start)")] == [1, 2, 3, 4, 5]
    assert msg.locator("img, script").count() == 0
    assert page.evaluate("() => typeof window.pwned") == "undefined" and page.errors == []
    page.close()
