"""HTTP API, guards (CORS, limits, headers, static files) and the safe renderer."""
from __future__ import annotations

import html
import http.client
import json
import re
import threading
import time
from pathlib import Path

import pytest
from dataclasses import replace

from qa.serve import render
from qa.serve.ratelimit import SlidingWindow
from qa.serve.webguard import OriginPolicy, csp, script_hashes

ROOT = Path(__file__).resolve().parents[1]
EVIL = "https://evil.example"
GOOD = "http://localhost:5173"
Q = "What did the party spokesperson say about the bans?"


# ------------------------------------------------------------------ render (no model)
def _result(text, cites, abstained=False, message=None, context=None):
    return {"question": "q", "abstained": abstained, "message": message,
            "answers": [] if abstained else [{"text": text, "score": 0.9, "context": context or {},
                                              "citations": cites}]}


def _cite(**kw):
    base = {"doc_id": "d", "title": "T", "source": "S", "date": "2021-07-20", "url": None,
            "passage_id": "p", "start": 0, "end": 1}
    return {**base, **kw}


@pytest.mark.parametrize("payload", [
    '<script>window.pwned=1</script>', '<img src=x onerror="window.pwned=1">',
    '[click](javascript:alert(1))', '"><svg onload=alert(1)>', "**bold** _it_ `code` $x^2$",
])
def test_render_escapes_article_strings(payload):
    res = _result(payload, [_cite(title=payload, source=payload, date=payload, url="javascript:alert(1)")],
                  context={"before": payload, "after": payload})
    out = render.result_html(res)
    assert "<script" not in out and "<img" not in out and "<svg" not in out
    assert "javascript:" not in out.split('href="')[-1] if 'href="' in out else True
    assert "href=" not in out                         # the only URL was not http(s)
    assert render.esc(payload) in out                # shown as text, not dropped


def test_render_citations_links_and_sources():
    cites = [_cite(title="A & B", url="https://labourlist.org/a?x=1&y=2"), _cite(doc_id="e", title="C", url="ftp://x"),
             _cite(doc_id="f", title="D", url="https://user:pw@evil.example/")]
    out = render.result_html(_result("Said it.", cites, context={"before": "Before.", "after": None}))
    assert out.count("<a ") == 1
    assert 'href="https://labourlist.org/a?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">A &amp; B</a>' in out
    assert "Reported by 3 sources" in out and "20 July 2021" in out
    assert "<details" in out and "Before." in out and "<mark>Said it.</mark>" in out
    single = render.result_html(_result("One.", [_cite()]))
    assert "Reported by" not in single and "<details" not in single


def test_render_unsure_answers_lead_with_their_message():
    out = render.result_html(_result("One.", [_cite()], message="May not <answer> this."))
    assert out.startswith('<div class="qa-result"><p class="qa-note">May not &lt;answer&gt; this.</p>')
    assert "<blockquote" in out
    assert "qa-note" not in render.result_html(_result("One.", [_cite()]))


def test_render_abstention_is_a_plain_message():
    out = render.result_html(_result("", [], abstained=True, message="I could not <find> it."))
    assert out == '<div class="qa-abstain"><p>I could not &lt;find&gt; it.</p></div>'
    assert "blockquote" not in out
    assert render.error_html("<b>x</b>").count("&lt;b&gt;") == 1


@pytest.mark.parametrize("url,ok", [("https://a.example/x", True), ("http://a.example", True),
                                    ("javascript:alert(1)", False), ("data:text/html,x", False),
                                    ("//a.example", False), ("https://a.example/\nx", False),
                                    ("JAVASCRIPT:alert(1)", False), ("", False), (None, False)])
def test_safe_url(url, ok):
    assert (render.safe_url(url) is not None) == ok


# ------------------------------------------------------------------ guards (no model)
def test_origin_policy_patterns():
    p = OriginPolicy(["http://localhost:*", "https://news.example", "https://*.paper.example"])
    assert p.allows("http://localhost") and p.allows("http://localhost:8080")
    assert p.allows("https://news.example") and p.allows("https://www.paper.example")
    for bad in ["https://news.example.evil.example", "http://news.example", "https://paper.example",
                "http://localhost.evil.example", "null", "", None, "http://127.0.0.1:80"]:
        assert not p.allows(bad), bad
    assert "frame-ancestors" not in p.frame_ancestors() and "'self'" in p.frame_ancestors()
    with pytest.raises(ValueError):
        OriginPolicy(["https://news.example/path"])


def test_token_bucket_ceiling_refills():
    from qa.serve.ratelimit import TokenBucket

    now = [50.0]
    tb = TokenBucket(per_minute=60, clock=lambda: now[0])
    assert all(tb.check("a") == 0 for _ in range(60))
    assert tb.check("a") == pytest.approx(1.0) and tb.check("b") == 0
    now[0] += 2.5
    assert tb.check("a") == 0 and tb.check("a") == 0 and tb.check("a") > 0
    now[0] += 3600
    assert sum(tb.check("a") == 0 for _ in range(100)) == 60      # bursts stop at the ceiling


def test_rate_limit_window_slides():
    now = [1000.0]
    rl = SlidingWindow(per_minute=2, clock=lambda: now[0])
    assert rl.check("a") == 0 and rl.check("a") == 0
    wait = rl.check("a")
    assert 59 < wait <= 60
    assert rl.check("b") == 0                       # per client
    now[0] += 60.5
    assert rl.check("a") == 0


def test_csp_hashes_exactly_the_inline_scripts():
    page = b'<script>var a=1;</script><script src="/x.js"></script><script type="module">b()</script>'
    hashes = script_hashes(page)
    assert len(hashes) == 2
    policy = csp(page, "'self'")
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "'unsafe-eval'" not in policy and "frame-ancestors 'self'" in policy


# ------------------------------------------------------------------ the app (real model and index)
@pytest.fixture(scope="module")
def make_app(assistant, tmp_path_factory):
    from qa.serve.server import Settings, create_app

    def _make(**kw):
        kw.setdefault("data_dir", tmp_path_factory.mktemp("data"))
        return create_app(assistant, Settings(**kw))
    return _make


@pytest.fixture(scope="module")
def client(make_app):
    from fastapi.testclient import TestClient

    with TestClient(make_app()) as c:
        yield c


def _post(client, body, ctype="application/json", **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/ask", content=data, headers={"content-type": ctype, **headers})


@pytest.mark.slow
def test_ask_returns_exactly_the_result_shape(client, assistant):
    r = _post(client, {"question": Q, "k": 2})
    assert r.status_code == 200
    assert r.json() == assistant.ask(Q, k=2).to_dict()
    r = _post(client, {"question": "Follow up?", "history": [Q], "filters": {"sources": ["LabourList"]}})
    expected = assistant.ask("Follow up?", history=[Q], filters={"sources": ["LabourList"]}).to_dict()
    assert r.status_code == 200 and r.json() == expected
    assert {"question", "abstained", "message", "answers"} <= set(r.json())


@pytest.mark.slow
@pytest.mark.parametrize("body,ctype,status,needle", [
    ({"question": ""}, "application/json", 422, "question is empty"),
    ({"question": "   \x00 "}, "application/json", 422, "question is empty"),
    ({"question": "x" * 2001}, "application/json", 422, "longer than 2000"),
    ({"question": 5}, "application/json", 422, "question"),
    ({"question": "x", "history": "not a list"}, "application/json", 422, "history"),
    ({"question": "x", "k": "3"}, "application/json", 422, "k"),
    ({"question": "x", "k": 0}, "application/json", 422, "k"),
    ({"question": "x", "k": 21}, "application/json", 422, "k"),
    ({"question": "x", "filters": {"colour": "red"}}, "application/json", 422, "unknown field"),
    ({"question": "x", "filters": {"date_from": "July"}}, "application/json", 422, "date"),
    ({"question": "x", "sneaky": 1}, "application/json", 422, "unknown field"),
    ({}, "application/json", 422, "missing"),
    ([1, 2], "application/json", 422, "body"),
    ('{"question": "x",', "application/json", 400, "not valid JSON"),
    ("", "application/json", 422, ""),
    ({"question": "x"}, "text/plain", 415, "JSON"),
    ({"question": "x"}, "application/x-www-form-urlencoded", 415, "JSON"),
])
def test_api_errors_are_documented_json(client, body, ctype, status, needle):
    r = _post(client, body, ctype)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error"} and needle in r.json()["error"]


@pytest.mark.slow
def test_oversize_body_refused_with_and_without_content_length(client):
    big = json.dumps({"question": "x" * 70_000})
    r = _post(client, big)
    assert r.status_code == 413 and "larger than" in r.json()["error"]

    def chunks():                       # no Content-Length: Transfer-Encoding chunked
        for _ in range(80):
            yield b"x" * 1024
    r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.slow
def test_health_and_openapi(client, assistant):
    h = client.get("/api/health").json()
    assert h["index_loaded"] is True and h["counts"]["articles"] == 5 and h["version"]
    assert h["model"]["name"] == assistant.encoder.name
    assert 50 < h["rss_mib"] < 100_000                       # this process, model loaded
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/ask"]["post"]
    assert {"200", "400", "413", "415", "422", "429", "503"} <= set(op["responses"])
    assert client.get("/docs").status_code == 200


@pytest.mark.slow
def test_openapi_describes_disagreements(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    dis = schemas["AskResponse"]["properties"]["disagreements"]
    assert dis["type"] == "array" and dis["items"] == {"$ref": "#/components/schemas/DisagreementOut"}
    out = schemas["DisagreementOut"]
    assert set(out["required"]) == {"kind", "message", "answers"}
    assert out["properties"]["kind"]["type"] == "string" and out["properties"]["message"]["type"] == "string"
    assert out["properties"]["answers"]["items"] == {"type": "array", "items": {"type": "integer"}}
    lead = schemas["Citation"]["properties"]["lead_in"]
    assert {"type": "string"} in lead["anyOf"] and {"type": "null"} in lead["anyOf"]
    read = schemas["AskResponse"]["properties"]["read_as"]
    assert {"type": "string"} in read["anyOf"] and {"type": "null"} in read["anyOf"]


def test_api_says_how_a_misspelt_question_was_read(client):
    r = client.post("/api/ask", json={"question": "Can you tell me how many membres could be expelled?"})
    assert r.status_code == 200
    body = r.json()
    assert body["question"] == "Can you tell me how many membres could be expelled?"
    assert body["read_as"] == "How many members could be expelled?"


@pytest.mark.slow
def test_api_gives_real_disagreements_as_the_engine_does(client, assistant):
    """Different figures and one statement quoted differently, on the seed articles."""
    for question, k, kind in (("How many people could be expelled from Labour?", 5, "figures"),
                              ("Momentum said the proscriptions would create time-consuming and "
                               "pointless investigations", 3, "wording")):
        r = _post(client, {"question": question, "k": k})
        assert r.status_code == 200 and r.json() == assistant.ask(question, k=k).to_dict()
        found = [d for d in r.json()["disagreements"] if d["kind"] == kind]
        assert found and len(found[0]["answers"]) >= 2, r.json()["disagreements"]


@pytest.mark.slow
def test_cors_allowlist_on_api_and_gradio_routes(client):
    pre = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    ok = client.options("/api/ask", headers={"origin": GOOD, **pre})
    assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == GOOD
    assert "access-control-allow-credentials" not in ok.headers        # never with credentials
    bad = client.options("/api/ask", headers={"origin": EVIL, **pre})
    assert bad.status_code == 403 and not any(k.startswith("access-control") for k in bad.headers)
    for path in ("/api/health", "/config", "/gradio_api/info", "/widget.js"):
        r = client.get(path, headers={"origin": EVIL, "cookie": "session=1"})
        assert not any(k.startswith("access-control") for k in r.headers), path
        r = client.get(path, headers={"origin": GOOD})
        assert r.headers.get("access-control-allow-origin") == GOOD, path
    r = _post(client, {"question": Q}, origin=EVIL)
    assert r.status_code == 403 and not any(k.startswith("access-control") for k in r.headers)
    r = client.post("/gradio_api/queue/join", json={"data": [Q]}, headers={"origin": EVIL})
    assert r.status_code == 403
    r = _post(client, {"question": ""}, origin="http://testserver")       # same origin: allowed
    assert r.status_code == 422
    r = _post(client, {"question": ""}, origin="null")
    assert r.status_code == 403


@pytest.mark.slow
def test_security_headers(client):
    for path in ("/api/health", "/widget.js", "/widget.css", "/openapi.json", "/"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path
    for path in ("/", "/embed"):
        r = client.get(path, headers={"accept": "text/html"})
        policy = r.headers["content-security-policy"]
        scripts = policy.split("script-src")[1].split(";")[0]
        assert "'unsafe-inline'" not in scripts and "unsafe-eval" not in policy
        assert "frame-ancestors 'self' http://localhost:*" in policy
        for h in script_hashes(r.content):
            assert h in scripts
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")


@pytest.mark.slow
def test_embed_page_shows_the_snippet(client):
    page = client.get("/embed", headers={"host": 'evil"><script>x</script>'}).text
    assert "<script>x</script>" not in page
    page = client.get("/embed").text
    assert '&lt;script src="http://testserver/widget.js" data-title="Ask the articles"' in page
    assert '<script src="http://testserver/widget.js"' in page
    assert "".join(f"<li>{html.escape(q)}</li>" for q in _seed_examples()) in page and "{{" not in page


def _seed_examples() -> list[str]:
    """seeds/examples.txt: the seed corpus's example questions, comment lines left out."""
    lines = (ROOT / "seeds" / "examples.txt").read_text("utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def test_example_questions_come_from_qa_examples(make_app, monkeypatch):
    from fastapi.testclient import TestClient

    from qa.serve.server import Settings

    monkeypatch.setenv("QA_EXAMPLES", " Who <b>won</b>? |  | What next? ")
    settings = Settings.from_env()
    assert settings.examples == ("Who <b>won</b>?", "What next?")
    page = TestClient(make_app(examples=settings.examples)).get("/embed").text
    assert "<li>Who &lt;b&gt;won&lt;/b&gt;?</li><li>What next?</li>" in page
    monkeypatch.setenv("QA_EXAMPLES", " | ")
    assert Settings.from_env().examples is None        # none given: the server's default list
    assert "<li>" + html.escape(_seed_examples()[0]) in TestClient(make_app()).get("/embed").text


@pytest.mark.slow
def test_example_questions_are_answered_by_the_seed_articles(assistant):
    """The chat's and /embed's default examples: the articles answer all but the last,
    which is off the subject and abstains."""
    examples = _seed_examples()
    from qa.serve.chat import corpus_examples

    assert corpus_examples(assistant) == tuple(examples) and len(examples) >= 3
    results = [assistant.ask(q).to_dict() for q in examples]
    assert [r["abstained"] for r in results] == [False] * (len(examples) - 1) + [True]


def test_example_questions_are_corpus_data_not_code(build_index, encoder, tmp_path):
    """House rule: qa/ names no question of the seed corpus. The examples file beside the
    articles is read (comments and repeats left out), never indexed as an article; a corpus
    without one offers none."""
    from conftest import write_corpus
    from qa.ingest import corpus
    from qa.serve.chat import EXAMPLES, corpus_examples
    from qa.answer.engine import Assistant

    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "qa").rglob("*.py"))
    assert EXAMPLES == () and not [q for q in _seed_examples()[:-1] if q in code]   # the last is off-topic
    assert "examples" not in {a.doc_id for a in corpus.load([str(ROOT / "seeds")]).articles}
    art = "Harbour works\n\nThe harbour wall was rebuilt in 2020 after a storm.\n"
    with_file = write_corpus(tmp_path / "a", {"a.txt": art, "examples.txt": "# note\nWhen was it rebuilt?\n\n"
                                              "Why? \nWhen was it rebuilt?\n"})
    without = write_corpus(tmp_path / "b", {"a.txt": art})
    for folder, expected in ((with_file, ("When was it rebuilt?", "Why?")), (without, ())):
        a = Assistant(build_index([folder]))
        a.encoder = encoder
        assert len(a.built.articles) == 1 and corpus_examples(a) == expected


@pytest.mark.slow
def test_rate_limit_answers_429_with_retry_after(make_app):
    from fastapi.testclient import TestClient

    c = TestClient(make_app(rate_limit_per_minute=3))
    codes = [_post(c, {"question": ""}).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    r = _post(c, {"question": ""})
    wait = int(r.headers["retry-after"])
    assert r.status_code == 429 and 0 < wait <= 60
    assert r.json() == {"error": f"Too many questions: try again in {wait} s."}
    assert c.get("/api/health").status_code == 200          # reading is not limited
    # Gradio's own POSTs are not questions: they only meet a ceiling 20 times as high.
    from qa.serve.server import GRADIO_POSTS_PER_QUESTION
    ceiling, t0, passed = 3 * GRADIO_POSTS_PER_QUESTION, time.monotonic(), 0
    while passed <= 3 * ceiling and c.post("/gradio_api/run/predict", json={}).status_code != 429:
        passed += 1
    refilled = (time.monotonic() - t0) * ceiling / 60          # the ceiling refills as time passes
    assert ceiling <= passed <= ceiling + refilled + 1
    assert _post(c, {"question": ""}).status_code == 429      # the question budget is still spent


class _Blocking:
    """The real assistant, except that ask() waits until released (to fill the pool)."""

    def __init__(self, real):
        self.real, self.entered, self.release = real, threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self.real, name)

    def ask(self, *a, **kw):
        self.entered.set()
        self.release.wait(30)
        return self.real.ask(*a, **kw)


@pytest.mark.slow
def test_saturated_pool_answers_503_at_once(assistant, tmp_path):
    from fastapi.testclient import TestClient

    from qa.serve.server import Settings, create_app

    slow = _Blocking(assistant)
    c = TestClient(create_app(slow, Settings(api_workers=1, api_queue=0, data_dir=tmp_path)))
    first = {}
    t = threading.Thread(target=lambda: first.setdefault("r", _post(c, {"question": Q})))
    t.start()
    assert slow.entered.wait(30)
    r = _post(c, {"question": Q})
    assert r.status_code == 503 and r.headers["retry-after"] and "busy" in r.json()["error"]
    slow.release.set()
    t.join(30)
    assert first["r"].status_code == 200


# ------------------------------------------------------------------ a live server: raw paths, gradio_client
@pytest.fixture(scope="module")
def live(make_app):
    from livesrv import LiveServer

    with LiveServer(make_app()) as srv:
        yield srv


def _raw_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)          # sent as is: no client-side dot-segment clean-up
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


@pytest.mark.slow
def test_no_path_traversal(live, seed_index):
    secret_repo = (ROOT / "qa" / "serve" / "server.py").read_bytes()[:60]
    index_file = next(Path(seed_index).rglob("manifest.json"))
    paths = ["/widget.js/../..", "/widget.js/../../etc/passwd", "/widget.js/%2e%2e/%2e%2e/etc/passwd",
             "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/widget.css/..%2f..%2fqa%2fserver.py", "/embed/../qa/serve/server.py",
             "/gradio_api/file=/etc/passwd", "/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd",
             f"/gradio_api/file={ROOT}/qa/serve/server.py", f"/file={ROOT}/qa/serve/server.py",
             f"/gradio_api/file={ROOT}/pyproject.toml", f"/gradio_api/file={index_file}",
             "/gradio_api/file=%2fetc%2fpasswd", "/static/../../../../etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd",
             "/ui/widget.js", "/qa/serve/server.py", "/chat.css/../embed.html"]
    for path in paths:
        status, body = _raw_get(live.port, path)
        assert b"root:x:0:0" not in body, path
        assert secret_repo not in body and b"[build-system]" not in body, path
        assert b'"sha256"' not in body, path
    status, body = _raw_get(live.port, "/widget.js")
    assert status == 200 and b"attachShadow" in body


@pytest.mark.slow
def test_gradio_client_round_trip(live, assistant):
    from gradio_client import Client

    for question in (Q, "What is the capital of France?"):
        client = Client(live.url, verbose=False)     # a new session each time: no chat history
        out = client.predict(question, api_name="/chat")
        assert out == render.result_html(assistant.ask(question).to_dict())
    assert 'class="qa-result"' in Client(live.url, verbose=False).predict(Q, api_name="/chat")


@pytest.mark.slow
def test_chat_queue_flood_gets_queue_full_not_a_hang(assistant, tmp_path):
    from gradio_client import Client

    from livesrv import LiveServer
    from qa.serve.server import Settings, create_app

    slow = _Blocking(assistant)
    app = create_app(slow, Settings(chat_concurrency=1, chat_queue_size=1, data_dir=tmp_path))
    with LiveServer(app) as srv:
        try:
            first = Client(srv.url, verbose=False).submit(Q, api_name="/chat")
            assert slow.entered.wait(30)                       # one running ...
            second = Client(srv.url, verbose=False).submit(Q, api_name="/chat")
            for _ in range(200):                               # ... and one waiting
                if second.status().code.name == "IN_QUEUE":
                    break
                time.sleep(0.05)
            assert second.status().code.name == "IN_QUEUE"
            third = Client(srv.url, verbose=False).submit(Q, api_name="/chat")
            with pytest.raises(Exception, match="(?i)queue is full"):
                third.result(timeout=20)
        finally:
            slow.release.set()
        assert 'class="qa-result"' in first.result(timeout=30)
        assert 'class="qa-result"' in second.result(timeout=30)


def test_chat_sessions_held_in_memory_are_bounded(assistant, tmp_path, monkeypatch):
    """Gradio drops the oldest chat session beyond QA_CHAT_SESSIONS (its own default is
    10,000): each session's history stays in server memory (docs/reliability.md, soak)."""
    from qa.serve.server import Settings, create_app

    monkeypatch.delenv("QA_CHAT_SESSIONS", raising=False)
    assert Settings(data_dir=tmp_path).chat_sessions == 1000
    monkeypatch.setenv("QA_CHAT_SESSIONS", "3")
    app = create_app(assistant, replace(Settings.from_env(), data_dir=tmp_path))
    assert app.state.chat.state_session_capacity == 3
    assert app.state.chat.state_holder.capacity == 3      # what Gradio's session store enforces


class _Recording:
    """The real assistant, recording the history each ask() was given."""

    def __init__(self, real):
        self.real, self.histories = real, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def ask(self, question, history=(), **kw):
        self.histories.append(list(history))
        return self.real.ask(question, history=history, **kw)


def test_last_turns_cuts_at_a_question():
    from qa.serve.chat import last_turns

    msgs = [{"role": r, "content": f"{r}{i}"} for i in range(5) for r in ("user", "assistant")]
    assert last_turns(msgs, 5) is msgs
    assert [m["content"] for m in last_turns(msgs, 2)] == ["user3", "assistant3", "user4", "assistant4"]
    odd = msgs + [{"role": "user", "content": "user5"}]        # the question is shown before its answer
    assert [m["content"] for m in last_turns(odd, 2)] == ["user4", "assistant4", "user5"]


@pytest.mark.slow
def test_one_chat_session_keeps_only_its_last_turns(assistant, tmp_path, monkeypatch):
    """QA_CHAT_TURNS bounds a session's history held by Gradio, through the real /chat path:
    the history the fifth question sees holds only the last two earlier questions, and the
    session's stored states hold at most two turns."""
    from gradio_client import Client

    from livesrv import LiveServer
    from qa.serve.server import Settings, create_app

    monkeypatch.delenv("QA_CHAT_TURNS", raising=False)
    assert Settings(data_dir=tmp_path).chat_turns == 25
    monkeypatch.setenv("QA_CHAT_TURNS", "2")
    rec = _Recording(assistant)
    app = create_app(rec, replace(Settings.from_env(), data_dir=tmp_path))
    # The fifth names what it asks for: "Who broke the story?" after "What did Momentum say?"
    # leans on that turn and is withheld since session 14 (its best answers were Momentum's).
    questions = [Q, "How long did the NEC meeting last?", "Which groups were banned?", "What did Momentum say?",
                 "Which newspaper broke the story?"]
    with LiveServer(app) as srv:
        client = Client(srv.url, verbose=False)               # one session for all five
        for q in questions:
            assert 'class="qa-result"' in client.predict(q, api_name="/chat")
        held = [v for session in app.state.chat.state_holder.session_data.values()
                for v in session.state_data.values() if isinstance(v, list) and v
                and isinstance(v[0], dict) and "role" in v[0]]
    assert rec.histories[1] == [Q]
    assert rec.histories[4] == questions[2:4]                  # not all four earlier questions
    assert held and max(len(v) for v in held) == 4


# ------------------------------------------------------------------ the chat: question limit, filters
TEN = ["Which groups did Labour's NEC proscribe in July 2021?", "How long did the NEC meeting last?",
       "What did Momentum say about the proscriptions?", "How many members could be expelled?",
       "Who broke the story?", "What did Clive Lewis say?", "Which groups were banned in March 2022?",
       "How did NEC members vote on banning the Labour Left Alliance?", "What is the capital of France?",
       "What did the Jewish Labour Movement say?"]
LIMITED = re.compile(r"Too many questions: try again in (\d+) s\.")


def _answered(reply: str) -> bool:
    return 'class="qa-result"' in reply or 'class="qa-abstain"' in reply


@pytest.mark.slow
def test_chat_counts_questions_not_http_requests(assistant, tmp_path):
    """QA_RATE_LIMIT counts chat questions, one per message, through the real /chat path, in
    one budget with the API's POSTs; over it, the chat's reply is the server's own message.
    (Before, the limit counted Gradio's HTTP requests, about ten per question in a browser
    (tests/test_browser.py), and a limited user saw only Gradio's red "Error".)"""
    import httpx
    from gradio_client import Client

    from livesrv import LiveServer
    from qa.serve.server import Settings, create_app

    app = create_app(assistant, Settings(rate_limit_per_minute=12, data_dir=tmp_path))
    with LiveServer(app) as srv:
        client = Client(srv.url, verbose=False)                # one session, one address
        replies = [client.predict(q, api_name="/chat") for q in TEN]
        assert all(_answered(r) for r in replies), [r[:80] for r in replies if not _answered(r)]
        assert httpx.post(srv.url + "/api/ask", json={"question": Q}, timeout=60).status_code == 200   # 11th
        assert _answered(client.predict(Q, api_name="/chat"))                                         # 12th
        over = client.predict(Q, api_name="/chat")
        m = LIMITED.search(over)
        assert m and 0 < int(m.group(1)) <= 60 and 'class="qa-error"' in over, over
        api = httpx.post(srv.url + "/api/ask", json={"question": Q}, timeout=60)
        assert api.status_code == 429 and LIMITED.fullmatch(api.json()["error"])


@pytest.mark.slow
def test_chat_filters_list_known_publishers_and_dates_narrow(live, assistant):
    """The source filter offers each publisher the seed articles name (unknown, null ones
    left out); a date filter answers from the dated articles instead of abstaining."""
    import httpx
    from gradio_client import Client

    from qa.serve.chat import make_filters

    meta = json.loads((ROOT / "seeds" / "metadata.json").read_text(encoding="utf-8"))
    known = sorted({m["source"] for k, m in meta.items() if not k.startswith("_") and m["source"]}, key=str.casefold)
    assert known and len(known) < len(meta) - 1                 # some publishers are unknown
    config = httpx.get(live.url + "/config", timeout=30).json()
    dropdown = next(c["props"] for c in config["components"] if c.get("props", {}).get("label") == "Sources")
    assert [c[0] if isinstance(c, (list, tuple)) else c for c in dropdown["choices"]] == known
    question = "What did Momentum say about the proscriptions?"
    for sources, date_from, date_to in ((known[-1:], "", ""), ([], "2022-01-01", ""), ([], "", "2021-07-31"),
                                        ([], "2021-07-01", "2021-07-31")):
        filters = make_filters(sources, date_from, date_to)
        expected = assistant.ask(question, filters=filters).to_dict()
        assert not expected["abstained"], filters
        for cite in (c for a in expected["answers"] for c in a["citations"]):
            assert not sources or cite["source"] in sources
            assert cite["date"] and date_from <= cite["date"] and (not date_to or cite["date"] <= date_to)
        out = Client(live.url, verbose=False).predict(question, sources, date_from, date_to, api_name="/chat")
        assert out == render.result_html(expected)
