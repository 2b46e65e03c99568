"""The Milvus retriever (qa/milvus) against Milvus Lite, started by these tests in a
temporary folder (a child process on a Unix socket: no network port). Same contract as
the in-process retriever, filters pushed into Milvus, adding and removing an article,
a restart, and bad URIs as one clear line."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="the Milvus extra is not installed (pip install '.[milvus]')")
pytest.importorskip("milvus_lite", reason="milvus-lite cannot be imported on this platform")

from conftest import ROOT, SEEDS, reread_settings  # noqa: E402

from qa.answer.engine import Assistant  # noqa: E402
from qa.milvus import MilvusError, MilvusRetriever, MilvusSettings, SentenceCollection, build, filter_expr  # noqa: E402
from qa.milvus.connection import release  # noqa: E402
from qa.request import check_filters  # noqa: E402
from qa.answer.retrieve import bm25_scores  # noqa: E402
from qa.answer.retriever import Request, Retriever  # noqa: E402


def _request(assistant, question, filters=None) -> Request:
    """What the engine hands a retriever (as in tests/test_retriever.py)."""
    fl = check_filters(filters)
    query = assistant.query(question, [])
    mask = assistant.doc_mask(fl)
    qv = assistant.encoder.encode_query(query.dense_text)
    return Request(query, qv, fl, mask, bm25_scores(assistant.built, query, mask))


def _milvus_assistant(assistant, uri: str, **settings) -> Assistant:
    a = Assistant.from_built(assistant.built, assistant.encoder, assistant.config)
    a.retriever = MilvusRetriever(a, MilvusSettings(uri, **settings))
    return a


@pytest.fixture(scope="module")
def seed_db(assistant, tmp_path_factory):
    """A Milvus Lite file holding the seed index's sentences."""
    uri = str(tmp_path_factory.mktemp("milvus") / "seeds.db")
    summary = build(assistant.built, MilvusSettings(uri))
    assert summary["sentences"] == len(assistant.built.tables.sent_ids)
    yield uri
    release(MilvusSettings(uri))                    # stop the Milvus Lite process


@pytest.fixture(scope="module")
def milvus(assistant, seed_db):
    a = _milvus_assistant(assistant, seed_db)
    yield a
    a.retriever.close()


FILTERS = [None, {"sources": ["HuffPost UK"]}, {"date_from": "2022-01-01"}, {"date_to": "2021-12-31"},
           {"sources": ["huffpost uk", "LabourList"], "date_from": "2021-07-20", "date_to": "2022-12-31"}]


@pytest.mark.parametrize("filters", FILTERS)
def test_milvus_retriever_meets_the_contract(milvus, filters):
    r = milvus.retriever
    assert isinstance(r, Retriever)
    req = _request(milvus, "How many members could be expelled?", filters)
    ids = r.candidates(req)
    assert ids.dtype == np.int64 and len(ids) > 0
    assert np.all(np.diff(ids) > 0)                                   # sorted, unique
    assert np.array_equal(ids, r.candidates(req))                     # deterministic
    assert ids.max() < len(milvus.built.tables.sent_ids)
    if req.doc_mask is not None:
        # Milvus never sees the mask: the filters went into its filter expression.
        blind = Request(req.query, req.vector, req.filters, None, req.local)
        assert np.array_equal(r.candidates(blind), ids)
        assert req.doc_mask[milvus.built.tables.s_doc[ids]].all()    # only allowed articles
        assert len(ids) < len(milvus.built.tables.sent_ids)


def test_an_undated_article_passes_no_date_bound(milvus):
    b = milvus.built
    undated = [i for i, a in enumerate(b.articles) if not a.date]
    assert undated, "the seed corpus has an undated article"
    req = _request(milvus, "Which groups were banned?", {"date_to": "2099-12-31"})
    ids = milvus.retriever.candidates(req)
    assert len(ids) and not np.isin(b.tables.s_doc[ids], undated).any()


def test_user_text_in_a_filter_is_quoted_not_pasted(milvus):
    assert filter_expr({"sources": ['a"b\\c']}) == 'source in ["a\\"b\\\\c"]'
    # Unquoted, this would read `source in ["x"] or source != ""`: every sentence.
    req = _request(milvus, "Which groups were banned?", {"sources": ['x"] or source != "']})
    assert len(milvus.retriever.candidates(req)) == 0


def test_answers_have_the_same_shape_and_offsets(milvus, assistant):
    arts = {a.doc_id: a for a in assistant.built.articles}
    for q in ("Which groups were proscribed?", "When did the NEC meet?", "Who is Labour's general secretary?"):
        via_milvus, local = milvus.ask(q, k=3).to_dict(), assistant.ask(q, k=3).to_dict()
        # 102 seed sentences: both retrievers' pools hold nearly all, so the answers agree.
        assert via_milvus == local
        for a in via_milvus["answers"]:
            assert all(arts[c["doc_id"]].text[c["start"]:c["end"]] == a["text"] for c in a["citations"])


def test_the_settings_name_the_retriever_and_its_uri(assistant, seed_db, monkeypatch):
    monkeypatch.setenv("QA_RETRIEVER", "qa.milvus:create")
    monkeypatch.setenv("QA_MILVUS_URI", seed_db)
    reread_settings()
    a = Assistant.from_built(assistant.built, assistant.encoder)
    assert isinstance(a.retriever, MilvusRetriever) and a.retriever.settings.uri == seed_db
    assert a.ask("Which groups were proscribed?").answers
    a.retriever.close()
    monkeypatch.delenv("QA_MILVUS_URI")
    reread_settings()
    with pytest.raises(MilvusError, match="QA_MILVUS_URI"):
        Assistant.from_built(assistant.built, assistant.encoder)


def _index_of(folder, encoder, index_dir, add=False):
    from qa.index import store
    from qa.index.indexing import build_index

    build_index([str(folder)], index_dir, model=encoder, add=add, progress=False)
    return store.load(index_dir, verify=False)[0]


def test_adding_and_removing_an_article_needs_no_rebuild(encoder, tmp_path):
    files = sorted(p for p in SEEDS.glob("*.txt") if p.name[0].isdigit())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in [*files[:-1], SEEDS / "metadata.json"]:
        shutil.copy(p, corpus / p.name)
    old = _index_of(corpus, encoder, tmp_path / "index")
    settings = MilvusSettings(str(tmp_path / "grow.db"))
    build(old, settings)
    shutil.copy(files[-1], corpus / files[-1].name)
    new = _index_of(corpus, encoder, tmp_path / "index", add=True)
    col = SentenceCollection(settings)
    try:
        added = [a.doc_id for a in new.articles[len(old.articles):]]
        assert col.upsert_articles(new, added) == len(new.tables.sent_ids) - len(old.tables.sent_ids)
        assert col.count() == len(new.tables.sent_ids)
        a = Assistant(tmp_path / "index")
        a.encoder = encoder
        a.retriever = MilvusRetriever(a, settings)
        doc = len(old.articles)
        title = new.articles[doc].title

        def rows_from_new():
            ids = a.retriever.candidates(_request(a, title))
            return int(np.isin(new.tables.s_doc[ids], [doc]).sum())

        assert rows_from_new() > 0
        col.delete_articles(added)
        assert rows_from_new() == 0 and col.count() == len(old.tables.sent_ids)
        assert all(c.doc_id not in added for ans in a.ask(title, k=5).answers for c in ans.citations)
        col.upsert_articles(new, added)
        assert rows_from_new() > 0
        a.retriever.close()
    finally:
        col.close(stop_lite=True)


def _lite_running(uri: str) -> bool:
    """Whether a Milvus Lite process serves ``uri`` (its command line names the file)."""
    from pathlib import Path

    for p in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = p.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"/milvus") and uri.encode() in args:
            return True
    return False


def test_a_restart_reopens_the_file(assistant, tmp_path):
    uri = str(tmp_path / "restart.db")
    build(assistant.built, MilvusSettings(uri))
    a = _milvus_assistant(assistant, uri)
    req = _request(a, "Which groups were proscribed?", {"sources": ["LabourList"]})
    before = a.retriever.candidates(req)
    a.retriever.close(stop_lite=True)              # the Milvus Lite process exits
    assert not _lite_running(uri)
    b = _milvus_assistant(assistant, uri)
    assert np.array_equal(b.retriever.candidates(req), before) and len(before)
    assert _lite_running(uri)
    b.retriever.close(stop_lite=True)


def test_a_collection_of_another_index_is_refused(assistant, encoder, tmp_path):
    files = sorted(p for p in SEEDS.glob("*.txt") if p.name[0].isdigit())[1:]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in files:
        shutil.copy(p, corpus / p.name)
    _index_of(corpus, encoder, tmp_path / "index")
    settings = MilvusSettings(str(tmp_path / "seeds.db"))
    build(assistant.built, settings)               # rows of the five-article index
    other = Assistant(tmp_path / "index")          # four articles: other rows
    other.encoder = encoder
    other.retriever = MilvusRetriever(other, settings)
    try:
        with pytest.raises(MilvusError, match="does not match|lacks") as err:
            other.ask("Which groups were banned?")
        assert "\n" not in str(err.value) and "qa index --backend milvus" in str(err.value)
    finally:
        release(settings)


@pytest.mark.parametrize("uri, why", [
    ("/no/such/folder/x.db", "does not exist"),
    ("notes.txt", "must end in .db"),
    ("", "no Milvus URI"),
])
def test_a_bad_uri_is_one_clear_line(assistant, uri, why):
    with pytest.raises(MilvusError, match=why) as err:
        _milvus_assistant(assistant, uri)
    assert "\n" not in str(err.value)


def test_an_unreachable_server_is_one_clear_line(assistant):
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused.
    a = _milvus_assistant(assistant, "http://127.0.0.1:9", timeout=2.0)
    with pytest.raises(MilvusError, match="cannot open Milvus at http://127.0.0.1:9") as err:
        a.warm_up()
    assert "\n" not in str(err.value)


def test_the_cli_prints_a_bad_uri_as_one_line(seed_index, tmp_path):
    env = {**os.environ, "QA_RETRIEVER": "qa.milvus:create", "QA_MILVUS_URI": str(tmp_path / "no" / "x.db")}
    proc = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "Which groups were banned?", "--index",
                           str(seed_index)], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"qa: error: Milvus URI {str(tmp_path / 'no' / 'x.db')!r}: folder {tmp_path / 'no'} does not exist"]
    assert "Traceback" not in proc.stderr


def test_qa_index_builds_and_extends_the_collection(tmp_path, monkeypatch, capsys):
    import json

    from qa import cli
    from qa.index import store

    files = sorted(p for p in SEEDS.glob("*.txt") if p.name[0].isdigit())
    corpus, idx, db = tmp_path / "corpus", tmp_path / "index", str(tmp_path / "cli.db")
    corpus.mkdir()
    for p in [*files[:-1], SEEDS / "metadata.json"]:
        shutil.copy(p, corpus / p.name)
    assert cli.main(["index", str(corpus), "--index", str(idx), "--backend", "milvus", "--milvus-uri", db,
                     "--quiet"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["milvus"]["sentences"] == first["sentences"]
    shutil.copy(files[-1], corpus / files[-1].name)
    # The same setting the other commands read: QA_RETRIEVER names the Milvus retriever.
    monkeypatch.setenv("QA_RETRIEVER", "qa.milvus:create")
    monkeypatch.setenv("QA_MILVUS_URI", db)
    reread_settings()
    assert cli.main(["index", str(corpus), "--index", str(idx), "--add", "--quiet"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["milvus"]["added_sentences"] == second["sentences"] - first["sentences"] > 0
    built = store.load(idx, verify=False)[0]
    col = SentenceCollection(MilvusSettings(db))
    try:
        assert col.count() == len(built.tables.sent_ids)
        new = built.articles[-1]
        assert cli.main(["ask", new.title, "--index", str(idx), "--json", "-k", "5"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert new.doc_id in {c["doc_id"] for a in answer["answers"] for c in a["citations"]}
    finally:
        col.close(stop_lite=True)


def test_a_lite_file_held_by_another_process_is_one_clear_line(assistant, tmp_path):
    uri = str(tmp_path / "held.db")
    build(assistant.built, MilvusSettings(uri))
    release(MilvusSettings(uri))
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pymilvus import MilvusClient\n"
                               "MilvusClient(sys.argv[1]); print('open', flush=True); time.sleep(60)", uri],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(MilvusError, match="open in another process") as err:
            _milvus_assistant(assistant, uri).warm_up()
        assert "\n" not in str(err.value)
    finally:
        holder.kill()
        holder.wait()
