"""Bad input through the Python API and the CLI: a clear error or a sensible answer,
never a traceback. (Corpus files: tests/test_corpus_files.py; the server: the web tests.)"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.answer.engine import MAX_K, QuestionError
from qa.index.store import live_generation

from conftest import ROOT, write_corpus

Q = "What did the NEC ban?"


def assert_verbatim(assistant, result) -> None:
    """Every answer is the exact text of each article it cites."""
    articles = {a.doc_id: a for a in assistant.built.articles}
    for ans in result.answers:
        assert ans.citations
        for c in ans.citations:
            assert articles[c.doc_id].text[c.start:c.end] == ans.text


# ------------------------------------------------------------------ questions (API)
@pytest.mark.parametrize("bad", ["", "   ", "\n\t \r", "\x00\x01\x1f", "\x7f\x85"])
def test_empty_question_is_refused(assistant, bad):
    with pytest.raises(QuestionError, match="empty"):
        assistant.ask(bad)


def test_overlong_question_is_refused_and_the_limit_itself_is_fine(assistant):
    with pytest.raises(QuestionError, match="longer than 2000"):
        assistant.ask("x" * 10_000)
    res = assistant.ask(("What did the NEC ban? " * 100)[:2000])
    assert_verbatim(assistant, res)


def test_control_characters_are_blanked_not_fatal(assistant):
    noisy = assistant.ask("What did the\x00NEC\x07ban?\x1b")
    # Each control character becomes a space, then the ends are trimmed.
    assert noisy.question == Q
    assert noisy.to_dict() == assistant.ask(Q).to_dict()
    assert noisy.answers
    assert_verbatim(assistant, noisy)


@pytest.mark.parametrize("question", [
    "ما الذي حظرته اللجنة التنفيذية الوطنية؟",            # Arabic
    "מה אסרה הוועדה המנהלת?",                              # Hebrew
    "What did the \u202eNEC ban?\u202c",                   # right-to-left override inside English
    "Whаt did thе NЕC bаn?",                               # Cyrillic а, е, Е lookalikes
    "Сommonwealth Раrty",                                  # Cyrillic С, Р
    "\u200b\u200d\ufeffWhat did the NEC ban?",             # zero-width characters
])
def test_rtl_bidi_and_homoglyph_questions_answer_or_abstain(assistant, question):
    res = assistant.ask(question)
    assert res.question == question.strip()
    assert res.abstained == (not res.answers)
    assert_verbatim(assistant, res)
    json.dumps(res.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("payload", [
    "<script>alert('x')</script> What did the NEC ban?",
    "<img src=x onerror=alert(1)> NEC ban",
    "[click](javascript:alert(1)) **What** did the _NEC_ ban?",
    "{{7*7}} ${7*7} %s %d ' OR 1=1 -- NEC ban",
])
def test_markup_in_questions_is_carried_as_plain_text(assistant, payload):
    res = assistant.ask(payload)
    assert res.question == payload       # verbatim: no escaping, stripping or interpretation
    assert res.to_dict()["question"] == payload
    assert_verbatim(assistant, res)


@pytest.fixture(scope="module")
def markup_assistant(build_index, encoder, tmp_path_factory):
    """An index over an article that itself contains markup and script text."""
    from qa.answer.engine import Assistant

    text = ("Harbour council news\n\n"
            "The harbour council published its <script>alert('pwned')</script> budget notes on Monday.\n"
            "Councillor Ada Brook wrote that **bold** plans and [links](javascript:alert(1)) are not policy.\n"
            "The <b>ferry</b> timetable & fares change on 3 June, the council said.\n")
    folder = write_corpus(tmp_path_factory.mktemp("markup"), {"markup.txt": text})
    a = Assistant(build_index([folder]))
    a.encoder = encoder
    return a


def test_markup_inside_articles_comes_back_verbatim(markup_assistant):
    res = markup_assistant.ask("When does the ferry timetable change?")
    assert not res.abstained
    texts = [a.text for a in res.answers]
    assert any("<b>ferry</b> timetable & fares" in t for t in texts), texts
    assert_verbatim(markup_assistant, res)
    res = markup_assistant.ask("What did the harbour council publish on Monday?")
    assert any("<script>alert('pwned')</script>" in a.text for a in res.answers)
    assert_verbatim(markup_assistant, res)


# ------------------------------------------------------------------ k, history, filters (API)
@pytest.mark.parametrize("k", [0, -1, -10**9, 1.5, "3", None, True, [3]])
def test_bad_k_is_refused(assistant, k):
    with pytest.raises(QuestionError, match="k must be"):
        assistant.ask(Q, k=k)


def test_huge_k_is_capped(assistant):
    res = assistant.ask(Q, k=10**30)
    assert 0 < len(res.answers) <= MAX_K
    assert_verbatim(assistant, res)


@pytest.mark.parametrize("question", [None, 5, b"What?", ["What?"], {"q": "What?"}])
def test_question_of_the_wrong_type_is_refused(assistant, question):
    with pytest.raises(QuestionError, match="must be a string"):
        assistant.ask(question)


@pytest.mark.parametrize("history", ["a string", [None], [1, 2], ["ok", b"bytes"]])
def test_history_of_the_wrong_type_is_refused(assistant, history):
    with pytest.raises(QuestionError, match="history"):
        assistant.ask(Q, history=history)


@pytest.mark.parametrize("history", [5, 2.5])
def test_history_that_is_not_a_list_is_refused(assistant, history):
    with pytest.raises(QuestionError, match="history"):
        assistant.ask(Q, history=history)


def test_long_and_many_history_entries_are_bounded(assistant):
    res = assistant.ask("And what did they say?", history=["x" * 100_000] + ["Who chairs the party?"] * 500)
    assert_verbatim(assistant, res)


@pytest.mark.parametrize("filters, match", [
    ([], "filters must be an object"),
    ("sources=x", "filters must be an object"),
    ({"bogus": 1}, "unknown filter field"),
    ({"source": ["HuffPost UK"]}, "unknown filter field"),
    ({1: 2}, "unknown filter field"),
    ({"sources": 5}, "sources must be a list of strings"),
    ({"sources": [5]}, "sources must be a list of strings"),
    ({"doc_ids": [None]}, "doc_ids must be a list of strings"),
    ({"date_from": "yesterday"}, "date_from must be a date"),
    ({"date_to": 20210101}, "date_to must be a date"),
    ({"date_from": "2021-7-1"}, "date_from must be a date"),
])
def test_bad_filters_are_refused(assistant, filters, match):
    with pytest.raises(QuestionError, match=match):
        assistant.ask(Q, filters=filters)


@pytest.mark.parametrize("date", ["2021-02-30", "2021-13-45", "２０２１-07-20"])
def test_impossible_dates_are_refused(assistant, date):
    with pytest.raises(QuestionError, match="date"):
        assistant.ask(Q, filters={"date_from": date})


def test_filters_that_match_nothing_abstain(assistant):
    for fl in ({"doc_ids": ["no-such-doc"]}, {"sources": ["Nobody"]},
               {"date_from": "2030-01-01"}, {"date_from": "2022-01-01", "date_to": "2020-01-01"}):
        res = assistant.ask(Q, filters=fl)
        assert res.abstained and not res.answers and res.message


@pytest.mark.parametrize("where", ["question", "history"])
def test_lone_surrogates_do_not_crash(assistant, where):
    bad = "What did the NEC \ud800 ban?"
    res = assistant.ask(bad) if where == "question" else assistant.ask("And why?", history=[bad])
    assert_verbatim(assistant, res)


# ------------------------------------------------------------------ the CLI
def run_qa(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **(env or {})}
    full_env.pop("QA_INDEX", None)
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def assert_one_line_error(proc: subprocess.CompletedProcess, match: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("qa: error: "), proc.stderr
    assert match in lines[0], lines[0]
    assert proc.stdout == ""


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("question, match", [
    ("", "question is empty"), ("   ", "question is empty"), ("\x01\x02", "question is empty"),
    ("x" * 2001, "longer than 2000"),
])
def test_cli_bad_question(tmp_path, question, match):
    assert_one_line_error(run_qa("ask", question, cwd=tmp_path), match)


def test_cli_missing_index(tmp_path):
    assert_one_line_error(run_qa("ask", Q, cwd=tmp_path), "no index at index")
    assert_one_line_error(run_qa("ask", Q, "--index", str(tmp_path / "nope"), cwd=tmp_path), "qa index")
    assert not (tmp_path / "index").exists() and not (tmp_path / "nope").exists()


DAMAGE = {
    "flipped byte": lambda gen, root: _flip(gen / "vectors.npy"),
    "truncated file": lambda gen, root: os.truncate(gen / "articles.jsonl", 10),
    "deleted file": lambda gen, root: (gen / "bm25_sent.vocab.json").unlink(),
    "manifest not JSON": lambda gen, root: (gen / "manifest.json").write_text("{oops"),
    "manifest a list": lambda gen, root: (gen / "manifest.json").write_text("[]"),
    "CURRENT garbage": lambda gen, root: (root / "CURRENT").write_bytes(b"\xff\xfe\x00"),
    "CURRENT outside": lambda gen, root: (root / "CURRENT").write_text("../../etc\n"),
    "CURRENT empty": lambda gen, root: (root / "CURRENT").write_text(""),
}


def _flip(p: Path) -> None:
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_cli_damaged_index_is_one_line_and_untouched(seed_index, tmp_path, damage):
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    DAMAGE[damage](live_generation(idx), idx)
    before = tree(idx)
    proc = run_qa("ask", Q, "--index", str(idx), cwd=tmp_path)
    assert_one_line_error(proc, "rebuild")
    assert tree(idx) == before     # asking never writes into the index


def test_cli_model_and_version_mismatch_say_how_to_rebuild(seed_index, tmp_path):
    idx = tmp_path / "idx"
    shutil.copytree(seed_index, idx)
    proc = run_qa("ask", Q, "--index", str(idx), "--model", "other/model", cwd=tmp_path)
    assert_one_line_error(proc, "rebuild with `qa index`")
    mpath = live_generation(idx) / "manifest.json"
    m = json.loads(mpath.read_text())
    m["format_version"] = 0
    mpath.write_text(json.dumps(m))
    assert_one_line_error(run_qa("ask", Q, "--index", str(idx), cwd=tmp_path), "format version 0")


def test_cli_index_of_a_path_that_does_not_exist(tmp_path):
    proc = run_qa("index", str(tmp_path / "no-such-folder"), "--index", str(tmp_path / "idx"), cwd=tmp_path)
    assert_one_line_error(proc, "no such file or folder")
    assert not (tmp_path / "idx").exists()


def test_cli_index_into_a_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    proc = run_qa("index", str(ROOT / "seeds"), "--index", str(tmp_path / "afile"), cwd=tmp_path)
    assert_one_line_error(proc, "is a file, not a folder")
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_cli_index_with_nothing_to_index(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"blob.txt": b"\x00\x01\x02" * 100, "pic.png": b"\x89PNG"})
    proc = run_qa("index", str(corpus), "--index", str(tmp_path / "idx"), "--quiet", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "qa: error: no articles found to index"
    assert not (tmp_path / "idx").exists()       # no half-written index folder


@pytest.mark.parametrize("args, match", [
    (["-k", "abc"], "invalid int value"), (["-k", "0"], "k must be"), (["-k", "-3"], "k must be"),
    (["--from", "yesterday"], "date_from must be a date"),
])
def test_cli_bad_options(seed_index, tmp_path, args, match):
    proc = run_qa("ask", Q, "--index", str(seed_index), *args, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert match in proc.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("argv_question", ["What did the NEC \udcff ban?", "\udc80\udc81"])
def test_cli_question_that_was_not_utf8_on_the_command_line(seed_index, argv_question, capsys):
    """Undecodable argv bytes reach Python as lone surrogates (surrogateescape)."""
    from qa import cli

    code = cli.main(["ask", argv_question, "--index", str(seed_index), "--history", "\udcfe", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out)
    assert "\ufffd" in result["question"]
