"""Messy corpus folders through qa.ingest.corpus.load and `qa index`: bad files are reported by
name and skipped, everything else is indexed, and every stored offset stays verbatim."""
from __future__ import annotations

import json
import os
import signal
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa.ingest import corpus
from qa.index.build import segment
from qa.ingest.dateline import is_pure_dateline, parse_date
from qa.answer.engine import Assistant
from qa.index.indexing import build_index
from qa.index.store import load

from conftest import write_corpus

FIXTURES = Path(__file__).parent / "fixtures"      # small made-up articles
GOOD = "Town news\n\nThe town council approved the new bus budget on Tuesday. It takes effect in May.\n"
ARABIC = "أخبار الميناء\n\nوافق مجلس الميناء على ميزانية العبارة الجديدة يوم الثلاثاء. وتدخل حيز التنفيذ في مايو.\n"
HEBREW = "חדשות הנמל\n\nמועצת הנמל אישרה את תקציב המעבורת החדש ביום שלישי. הוא ייכנס לתוקף במאי.\n"
MIXED = ("Bidi news\n\nThe mayor said \u202bשלום לכולם\u202c to the crowd and left at noon. "
         "The sign read \u202eSTOP\u202c in reverse.\n")


def one_line_article(n_sentences: int) -> str:
    return "One line title " + " ".join(
        f"Sentence {i} of the long report says the quay needs {i % 97} new cranes." for i in range(n_sentences))


def messy_files() -> dict[str, str | bytes]:
    return {
        "good.txt": GOOD,
        "latin1.txt": "Caf\xe9 news\n\nThe caf\xe9 on the quay reopened on Friday after the flood.\n".encode("latin-1"),
        "broken_utf8.txt": "Broken\n\nThe pier\u2019s lights were fixed on Monday night. ".encode() + b"\xff\xfe" +
                           b" The work cost less than planned.\n",
        "binary.txt": bytes(range(256)) * 40,
        "photo.jpg": b"\xff\xd8\xff\xe0" + os.urandom(512),
        "noext": b"\x00\x01\x02",
        "empty.txt": b"",
        "blank.md": " \n\n\t\n",
        "arabic.txt": ARABIC,
        "hebrew.txt": HEBREW,
        "mixed.txt": MIXED,
        "oneline.txt": one_line_article(300),
        "feed.jsonl": "\n".join([
            json.dumps({"id": "j-ok", "title": "Feed item", "text": "The lighthouse reopened to visitors on Sunday morning."}),
            "{not json",
            json.dumps([1, 2, 3]),
            json.dumps({"id": "no-text"}),
            json.dumps({"id": "num-text", "text": 42}),
            '{"id": "surrogate", "text": "A lone \\ud800 surrogate in an otherwise fine sentence here."}',
            json.dumps({"id": "j-ls", "text": "Line one of the record\u2028still the same record, said the clerk."},
                       ensure_ascii=False),
            "",
        ]),
        "page.html": "<html><body><article><p>The town clerk retired on Friday after thirty years in the post."
                     "</p><script>alert(1)</script></article></body></html>",
        "empty.html": "",
    }


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("messy"), messy_files(), metadata=None)


@pytest.fixture(scope="module")
def report(messy):
    return corpus.load([messy])


def assert_offsets_verbatim(articles, tables=None) -> None:
    for a in articles:
        prev = 0
        for s, e in a.body:
            assert 0 <= prev <= s < e <= len(a.text)
            assert a.text[s:e] == a.text[s:e].strip() and a.text[s:e]
            prev = e
    if tables is not None:
        for i in range(len(tables.sent_ids)):
            a = articles[tables.s_doc[i]]
            s, e = int(tables.s_start[i]), int(tables.s_end[i])
            assert any(bs <= s and e <= be for bs, be in a.body)   # inside a kept paragraph


def test_bad_files_are_reported_by_name_and_skipped(report, messy):
    skipped = dict(report.skipped)
    assert "binary" in skipped[str(messy / "binary.txt")]
    assert "unsupported file type .jpg" in skipped[str(messy / "photo.jpg")]
    assert "unsupported file type (none)" in skipped[str(messy / "noext")]
    feed = str(messy / "feed.jsonl")
    assert set(skipped) >= {f"{feed}:2", f"{feed}:3", f"{feed}:4", f"{feed}:5", f"{feed}:6"}
    assert "surrogate" in skipped[f"{feed}:6"]
    ids = {a.doc_id for a in report.articles}
    assert {"good", "latin1", "broken_utf8", "arabic", "hebrew", "mixed", "oneline", "j-ok", "j-ls", "page"} <= ids
    assert not ids & {"binary", "photo", "noext", "surrogate", "no-text", "num-text"}


def test_undecodable_text_is_kept_with_a_warning(report, messy):
    warned = " ".join(report.warnings)
    assert f"{messy / 'latin1.txt'}: invalid UTF-8" in warned
    assert f"{messy / 'broken_utf8.txt'}: invalid UTF-8" in warned
    latin = next(a for a in report.articles if a.doc_id == "latin1")
    assert "The café on the quay reopened" in latin.text


def test_empty_articles_are_warned_about_and_hold_no_sentences(report, messy):
    for name in ("empty.txt", "blank.md", "empty.html"):
        assert any(w.startswith(str(messy / name)) and "no article text" in w for w in report.warnings), name
    tables, _ = segment([a for a in report.articles if a.doc_id in ("empty", "blank")])
    assert len(tables.sent_ids) == 0


def test_a_json_record_holding_a_line_separator_stays_one_record(report):
    rec = next(a for a in report.articles if a.doc_id == "j-ls")
    assert rec.text == "Line one of the record\u2028still the same record, said the clerk."


def test_rtl_text_is_split_verbatim(report):
    for doc in ("arabic", "hebrew", "mixed"):
        a = next(x for x in report.articles if x.doc_id == doc)
        tables, texts = segment([a])
        assert texts, doc
        for i, t in enumerate(texts):
            assert a.text[tables.s_start[i]:tables.s_end[i]] == t
    assert "وافق مجلس الميناء على ميزانية العبارة الجديدة يوم الثلاثاء." in texts_of(report, "arabic")
    assert "\u202eSTOP\u202c" in " ".join(texts_of(report, "mixed"))


def texts_of(report, doc_id: str) -> list[str]:
    return segment([a for a in report.articles if a.doc_id == doc_id])[1]


def test_invalid_metadata_is_ignored_with_a_warning(tmp_path):
    for bad in ("{not json", "[1, 2]", '"a string"', '{"a.txt": {"title": "\\udc80"}}'):
        folder = write_corpus(tmp_path / f"m{abs(hash(bad))}", {"a.txt": GOOD})
        (folder / "metadata.json").write_text(bad)
        rep = corpus.load([folder])
        assert [a.doc_id for a in rep.articles] == ["a"]
        assert rep.articles[0].title == "Town news"           # from the first line instead
        assert any("metadata.json" in w for w in rep.warnings), bad


def test_bad_metadata_values_are_dropped(tmp_path):
    meta = {"a.txt": {"date": "2021-02-30", "url": "javascript:alert(1)", "source": 7, "title": ["x"]},
            "b.txt": {"date": "２０２１-07-20", "url": "ftp://x"},
            "c.txt": {"date": "2021-07-20T10:00:00Z", "url": "https://example.org/a"}}
    folder = write_corpus(tmp_path / "c", {"a.txt": GOOD, "b.txt": GOOD + "More.\n", "c.txt": GOOD + "Other.\n"}, meta)
    arts = {a.doc_id: a for a in corpus.load([folder]).articles}
    assert arts["a"].date is None and arts["a"].url is None and arts["a"].source == "7"
    assert arts["b"].date is None and arts["b"].url is None
    assert arts["c"].date == "2021-07-20" and arts["c"].url == "https://example.org/a"


DATED = "Town news\nBy Jane Doe, Town Reporter\nTuesday 20th July 2021 18.00 BST\n\nThe council met on 3 May 2019.\n"
PAGE = """<html><head><title>Bus budget approved | Riverside Post</title>
<meta property="og:site_name" content="Riverside Post">
<meta property="article:published_time" content="2021-07-20T18:00:00Z">
<link rel="canonical" href="https://example.org/2021/bus-budget"></head>
<body><article><h1>Bus budget approved</h1><p>The town council approved the new bus budget on
Tuesday after a long debate about fares. It takes effect in May, the council said in a statement.</p>
<p>Councillors voted nine to two in favour of the plan, which raises fares for visitors.</p></article></body></html>"""


def test_undated_text_takes_the_date_of_its_own_dateline_not_of_an_event(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": DATED, "b.txt": GOOD + "Written 20 July 2021\n",
                                           "c.txt": DATED.replace("Town news", "Other news")},
                          {"c.txt": {"date": "2021-07-22"}})
    arts = {a.doc_id: a for a in corpus.load([folder]).articles}
    assert arts["a"].date == "2021-07-20"
    assert arts["b"].date is None                # a date below the first paragraph is not the article's
    assert arts["c"].date == "2021-07-22"        # the sidecar wins


@pytest.mark.parametrize("line,expected", [
    ("20/07/2021 18:49 BST | Updated 21/07/2021 08:09 BST", "2021-07-20"),   # British zone: day first
    ("07/08/2021 10:00 GMT", "2021-08-07"),
    ("21/07/2021 18:49", "2021-07-21"),            # a day over 12 can only be a day
    ("07/08/2021 | Updated 21/08/2021", "2021-08-07"),   # the line's other date settles the order
    ("07/21/2021 6:49 PM EDT", "2021-07-21"),      # a second number over 12: month first
    ("07/08/2021 10:00", None),                    # either way round: left alone
    ("07/08/2021 | Updated 07/21/2021 BST", None),  # the line contradicts itself
    ("31/02/2021 10:00 BST", None),                # no such day
    ("Tuesday 20th July 2021 18.00 BST", "2021-07-20"),
    ("Published July 20, 2021 | Updated 21/07/2021", "2021-07-20"),   # the first date written wins
    ("2021-07-20T18:49:00Z", "2021-07-20"),
    ("20/07/21 18:49 BST", None),                  # a two-digit year is not read
])
def test_parse_date_reads_only_dates_that_cannot_be_misread(line, expected):
    assert parse_date(line) == expected


@pytest.mark.parametrize("line,pure", [
    ("20/07/2021 18:49 BST | Updated 21/07/2021 08:09 BST", True), ("Tuesday 20 July 2021", True),
    ("Published: 20 July 2021, 10:00 a.m.", True), ("Last updated on Wed 21 Jul 2021 08.09 BST", True),
    ("Markets fall on 20 July 2021", False), ("Council votes on 20 July 2021", False),
    ("Marchers gather on 20 March 2021", False), ("The council met on 20 July 2021.", False),
])
def test_a_pure_dateline_is_only_dates_times_and_their_words(line, pure):
    assert is_pure_dateline(line) is pure


def test_a_first_line_dateline_gives_the_date_and_the_next_line_the_headline(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for name in ("fixture_dateline_first.txt", "fixture_ambiguous_dateline.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    dated = (FIXTURES / "fixture_dateline_first.txt").read_text("utf-8")
    (folder / "headline_with_date.txt").write_text("Markets fall on 20 July 2021\n\nShares fell sharply on Tuesday.\n")
    (folder / "sidecar.txt").write_text(dated.replace("late-night", "night"), "utf-8")
    (folder / "metadata.json").write_text(json.dumps({"sidecar.txt": {"title": "Given", "date": "2023-03-20"}}))
    arts = {a.doc_id: a for a in corpus.load([folder]).articles}
    a = arts["fixture_dateline_first"]
    assert (a.title, a.date) == ("Council Scraps Late-Night Bus Routes After Budget Vote", "2023-03-14")
    amb = arts["fixture_ambiguous_dateline"]
    assert (amb.title, amb.date) == ("Library Opening Hours Extended", None)   # 07/08/2021: left alone
    assert amb.text[amb.body[0][0]:amb.body[0][1]].startswith("The central library")
    assert (arts["headline_with_date"].title, arts["headline_with_date"].date) == ("Markets fall on 20 July 2021", None)
    assert (arts["sidecar"].title, arts["sidecar"].date) == ("Given", "2023-03-20")   # the sidecar wins


def test_each_article_without_publisher_or_date_is_warned_about_once_by_name(tmp_path):
    meta = {"full.txt": {"source": "Riverside Post", "date": "2021-07-20"}, "no_date.txt": {"source": "Riverside Post"},
            "no_source.txt": {"date": "2021-07-20"}}
    feed = "\n".join(json.dumps(r) for r in ({"id": "r1", "text": "The bridge reopened on Monday.", "source": "X",
                                              "date": "2021-07-20"}, {"id": "r2", "text": "The bridge closed again."}))
    folder = write_corpus(tmp_path / "c", {"full.txt": GOOD, "no_date.txt": GOOD + "A.\n", "no_source.txt": GOOD + "B.\n",
                                           "neither.txt": GOOD + "C.\n", "feed.jsonl": feed}, meta)
    rep = corpus.load([folder])
    assert len(rep.articles) == 6
    named = [w for w in rep.warnings if "no publisher" in w or "no date" in w]
    assert sorted(named) == sorted([
        f"{folder / 'feed.jsonl'} (id r2): no publisher and no date; its citations will not show them (give them in the record)",
        f"{folder / 'neither.txt'}: no publisher and no date; its citations will not show them "
        "(give them in metadata.json beside the file)",
        f"{folder / 'no_date.txt'}: no date; its citations will not show it (give it in metadata.json beside the file)",
        f"{folder / 'no_source.txt'}: no publisher; its citations will not show it "
        "(give it in metadata.json beside the file)"])


def test_a_feed_of_unnamed_records_gets_a_summary_line_not_one_per_record(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "MAX_UNNAMED_LISTED", 2)
    feed = "\n".join(json.dumps({"id": f"r{i}", "text": f"Record {i} says the bridge reopened."}) for i in range(5))
    rep = corpus.load([write_corpus(tmp_path / "c", {"feed.jsonl": feed})])
    assert len(rep.articles) == 5
    assert len([w for w in rep.warnings if "(id r" in w]) == 2
    assert rep.warnings[-1] == "3 more articles without a publisher or date (not listed one by one)"


def test_html_without_sidecar_cites_what_the_page_says_of_itself(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.html": PAGE, "b.html": PAGE.replace("nine to two", "ten to one")},
                          {"b.html": {"source": "The Post", "title": "Given title"}})
    arts = {a.doc_id: a for a in corpus.load([folder]).articles}
    a, b = arts["a"], arts["b"]
    assert (a.source, a.date, a.url) == ("Riverside Post", "2021-07-20", "https://example.org/2021/bus-budget")
    assert "Bus budget approved" in a.title
    assert (b.source, b.title, b.date) == ("The Post", "Given title", "2021-07-20")


@contextmanager
def hang_guard(seconds: int):
    """Not a speed target: a guard against a hang. Splitting used to be quadratic in a
    paragraph's length (hours for 2 MB on one line); it now takes well under a second."""
    def boom(*_):
        raise TimeoutError(f"still running after {seconds}s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_two_megabytes_on_one_line_split_into_sentences(tmp_path):
    text = one_line_article(30_000)
    assert len(text) > 2_000_000 and "\n" not in text
    folder = write_corpus(tmp_path / "big", {"big.txt": text + "\n"})
    with hang_guard(120):
        rep = corpus.load([folder])
        tables, texts = segment(rep.articles)
    art = rep.articles[0]
    assert len(texts) >= 29_000
    starts, ends = tables.s_start, tables.s_end
    assert np.all(starts[1:] >= ends[:-1])
    for i in np.random.default_rng(0).choice(len(texts), 500, replace=False):
        assert art.text[starts[i]:ends[i]] == texts[i]
    assert texts[-1].startswith("Sentence 29999 ")


@pytest.fixture(scope="module")
def messy_index(messy, encoder, tmp_path_factory):
    idx = tmp_path_factory.mktemp("messy-index") / "idx"
    return build_index([str(messy)], idx, model=encoder, progress=False), idx


def test_qa_index_names_skipped_files_and_indexes_the_rest(messy_index, messy):
    summary, idx = messy_index
    skipped = {s["path"]: s["reason"] for s in summary["skipped"]}
    assert str(messy / "binary.txt") in skipped and str(messy / "photo.jpg") in skipped
    assert summary["articles"] >= 10 and summary["sentences"] > 300
    built, _ = load(idx)
    assert_offsets_verbatim(built.articles, built.tables)
    for i in range(len(built.tables.sent_ids)):   # stored offsets give back the indexed text
        a = built.articles[built.tables.s_doc[i]]
        assert a.text[built.tables.s_start[i]:built.tables.s_end[i]].strip()


def test_the_messy_index_answers_verbatim(messy_index, encoder):
    _, idx = messy_index
    a = Assistant(idx)
    a.encoder = encoder
    articles = {x.doc_id: x for x in a.built.articles}
    for q in ("When did the town council approve the bus budget?", "When did the lighthouse reopen?",
              "ميزانية العبارة", "How many cranes does the quay need?"):
        res = a.ask(q)
        for ans in res.answers:
            for c in ans.citations:
                assert articles[c.doc_id].text[c.start:c.end] == ans.text
    res = a.ask("When did the town council approve the bus budget?")
    assert res.answers and "approved the new bus budget on Tuesday" in res.answers[0].text


def test_rtl_words_are_searchable(messy_index):
    _, idx = messy_index
    built, _ = load(idx)
    tok = built.tokenizer
    for query, expected in (("ميزانية العبارة", "وافق مجلس الميناء"), ("תקציב המעבורת", "מועצת הנמל אישרה")):
        scores = built.bm25_sent.get_scores(tok(query))
        best = int(np.argmax(scores))
        a = built.articles[built.tables.s_doc[best]]
        assert scores[best] > 0
        assert a.text[built.tables.s_start[best]:built.tables.s_end[best]].startswith(expected)


def test_qa_index_progress_names_skipped_files_and_unnamed_articles(tmp_path, encoder, capsys):
    folder = write_corpus(tmp_path / "c", {"good.txt": GOOD, "dated.txt": GOOD + "More.\n",
                                           "binary.txt": bytes(range(256)) * 8},
                          {"dated.txt": {"source": "Riverside Post", "date": "2021-07-20"}})
    summary = build_index([str(folder)], tmp_path / "idx", model=encoder, progress=True)
    err = capsys.readouterr().err.splitlines()
    assert any(ln.startswith(f"qa index: skipped {folder / 'binary.txt'}: binary file") for ln in err)
    assert [ln for ln in err if "its citations will not show" in ln] == [
        f"qa index: warning: {folder / 'good.txt'}: no publisher and no date; its citations will not show them "
        "(give them in metadata.json beside the file)"]
    assert summary["articles"] == 2             # warned about, and indexed all the same
