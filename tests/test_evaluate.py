"""The evaluation harness (qa/evaluation/evaluate.py, qa/evaluation/eval_metrics.py, qa/evaluation/eval_report.py) on
hand-made inputs with known answers. No model: a scripted fake assistant stands in."""
from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import numpy as np
import pytest

from qa.evaluation import eval_metrics as em
from qa.evaluation import eval_cli
from qa.evaluation import evaluate as ev
from qa.evaluation.eval_report import html_report
from qa.types import Answer, Article, Citation, Result

# ------------------------------------------------------------------ a scripted assistant
TEXTS = {
    "a": "The council approved the bridge by 9 votes to 2. Mayor Ana Ruiz called it “a historic day”.",
    "b": "The bridge will cost £40 million – officials said so on Tuesday. Critics wanted schools instead.",
}
ARTICLES = [Article(doc_id=d, text=t, title=f"Title {d}") for d, t in TEXTS.items()]


def _span(doc: str, sentence: str) -> tuple[int, int]:
    s = TEXTS[doc].index(sentence)
    return s, s + len(sentence)


def _answer(doc: str, sentence: str, score: float, bad_offset: bool = False) -> Answer:
    s, e = _span(doc, sentence)
    if bad_offset:
        s, e = s + 1, e + 1
    return Answer(sentence, score, {"before": None, "after": None},
                  (Citation(doc, f"Title {doc}", None, None, None, "p0", s, e),))


S_VOTE = "The council approved the bridge by 9 votes to 2."
S_RUIZ = "Mayor Ana Ruiz called it “a historic day”."
S_COST = "The bridge will cost £40 million – officials said so on Tuesday."
S_CRIT = "Critics wanted schools instead."


class FakeAssistant:
    """``ask`` returns scripted answers; records every call (question, history, k)."""

    def __init__(self, script: dict[str, list[Answer]], threshold: float = 0.4):
        self.script = script
        self.calls: list[tuple[str, tuple, int]] = []
        self.config = SimpleNamespace(threshold=threshold)
        spans = [(0, *_span("a", S_VOTE)), (0, *_span("a", S_RUIZ)), (1, *_span("b", S_COST)),
                 (1, *_span("b", S_CRIT))]
        tables = SimpleNamespace(sent_ids=[f"s{i}" for i in range(len(spans))],
                                 s_doc=np.array([d for d, _, _ in spans]), s_start=np.array([s for _, s, _ in spans]),
                                 s_end=np.array([e for _, _, e in spans]))
        self.built = SimpleNamespace(articles=ARTICLES, tables=tables)

    def ask(self, question, history=(), k=3, filters=None):
        self.calls.append((question, tuple(history), k))
        answers = tuple(self.script.get(question, ()))[:k]
        if not answers:
            return Result(question, True, "I could not find an answer.", (), {"best_score": 0.1})
        return Result(question, False, None, answers, {"best_score": answers[0].score})


def _q(qid, question, expected=(), answerable=True, kind="factoid", history=()):
    return {"id": qid, "question": question, "history": list(history), "expected": list(expected),
            "answerable": answerable, "kind": kind}


QUESTIONS = [
    _q("q1", "How many votes?", ["9 votes to 2"]),                          # right at rank 1
    _q("q2", "What did the mayor say?", ["a historic day"], kind="quote"),  # right at rank 2
    _q("q3", "How much will it cost?", ["£40 million"]),                    # abstains: false abstention
    _q("q4", "Who objected?", ["critics wanted"], kind="quote",
       history=["How much will it cost?", "Who approved it?"]),             # right at rank 3, bad citation
    _q("u1", "Who built the old bridge?", answerable=False, kind="unanswerable"),   # abstains: right
    _q("u2", "When will it open?", answerable=False, kind="unanswerable"),          # answers: wrong
]
SCRIPT = {
    "How many votes?": [_answer("a", S_VOTE, 0.9), _answer("b", S_COST, 0.5)],
    "What did the mayor say?": [_answer("a", S_VOTE, 0.8), _answer("a", S_RUIZ, 0.7)],
    "Who objected?": [_answer("a", S_VOTE, 0.6), _answer("b", S_COST, 0.55),
                      _answer("b", S_CRIT, 0.5, bad_offset=True)],
    "When will it open?": [_answer("b", S_COST, 0.45)],
}


@pytest.fixture(scope="module")
def report():
    return ev.evaluate(FakeAssistant(SCRIPT), QUESTIONS, progress=False)


# ------------------------------------------------------------------ matching
@pytest.mark.parametrize("text,phrase", [
    ("The vote was 22 VOTES TO 11 on Tuesday.", "22 votes to 11"),
    ("He called it a “Star Chamber”.", 'a "star chamber"'),
    ("a rise in anti‑Semitism", "antisemitism"),
    ("the co-operative movement", "cooperative movement"),
    ("from 10am –\n  shortly before 7pm", "10am - shortly before 7pm"),
    ("Today’s decision", "today's decision"),
])
def test_folded_phrase_matches(text, phrase):
    assert em.is_right(text, em.fold_phrases([phrase]))


def test_phrase_mismatch_and_empty_phrases():
    assert not em.is_right("by 22 votes to 11", em.fold_phrases(["21 votes to 12"]))
    assert em.fold_phrases(["", "  "]) == []
    assert not em.is_right("anything", [])


# ------------------------------------------------------------------ metrics with known answers
def test_records_rank_correct_and_faithful(report):
    r = {x["id"]: x for x in report["questions"]}
    assert (r["q1"]["rank"], r["q2"]["rank"], r["q3"]["rank"], r["q4"]["rank"]) == (1, 2, None, 3)
    assert [r[i]["correct"] for i in ("q1", "q2", "q3", "q4", "u1", "u2")] == [True, False, False, False, True, False]
    assert r["q4"]["faithful"] == [True, True, False]
    assert r["q3"]["abstained"] and r["q3"]["top_score"] == 0.1
    for key in ("question", "abstained", "message", "answers", "id", "kind", "answerable", "correct",
                "rank", "latency_ms"):
        assert key in r["q1"]
    assert r["q1"]["answers"][0]["citations"][0]["doc_id"] == "a"


def test_overall_metrics(report):
    m = report["metrics"]
    assert m["questions"] == 6 and m["answerable"] == 4 and m["unanswerable"] == 2
    assert m["hit@1"] == 0.25 and m["hit@3"] == 0.75
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 0 + 1 / 3) / 4, abs=1e-4)
    # abstained: q3 (answerable) and u1 (unanswerable); answered u2 (unanswerable)
    assert m["abstention_precision"] == 0.5 and m["abstention_recall"] == 0.5 and m["abstention_f1"] == 0.5
    assert m["false_abstention_rate"] == 0.25
    assert m["answers"] == 8 and m["faithfulness"] == pytest.approx(7 / 8, abs=1e-4)
    assert m["accuracy"] == pytest.approx(2 / 6, abs=1e-4)
    assert m["latency_p50_ms"] is not None and m["latency_p95_ms"] >= m["latency_p50_ms"]


def test_metrics_by_kind(report):
    bk = report["metrics"]["by_kind"]
    assert set(bk) == {"factoid", "quote", "unanswerable"}
    assert bk["factoid"]["hit@1"] == 0.5 and bk["factoid"]["false_abstention_rate"] == 0.5
    assert bk["quote"]["hit@1"] == 0.0 and bk["quote"]["hit@3"] == 1.0
    assert bk["quote"]["mrr@10"] == pytest.approx((1 / 2 + 1 / 3) / 2, abs=1e-4)
    assert bk["quote"]["faithfulness"] == pytest.approx(4 / 5, abs=1e-4)
    assert bk["unanswerable"]["hit@1"] is None and bk["unanswerable"]["abstention_recall"] == 0.5
    assert bk["unanswerable"]["abstention_precision"] == 1.0


def test_metrics_recomputed_from_saved_records(report):
    again = em.compute(json.loads(json.dumps(report["questions"])))
    assert again == report["metrics"]


def test_history_is_asked_in_order_before_the_question():
    fake = FakeAssistant(SCRIPT)
    ev.evaluate(fake, [QUESTIONS[3]], progress=False)
    assert fake.calls == [("How much will it cost?", (), 10),
                          ("Who approved it?", ("How much will it cost?",), 10),
                          ("Who objected?", ("How much will it cost?", "Who approved it?"), 10)]


def test_unfindable_expected_phrase_is_reported():
    rep = ev.evaluate(FakeAssistant(SCRIPT), [_q("x", "How many votes?", ["nowhere in the corpus"])], progress=False)
    assert rep["meta"]["unfindable"] == ["x"] and rep["questions"][0]["findable"] is False


# ------------------------------------------------------------------ TREC
def test_trec_files(report, tmp_path):
    qrels = ev.index_qrels(FakeAssistant(SCRIPT), QUESTIONS)
    s, e = _span("a", S_VOTE)
    assert qrels["q1"] == {f"a:{s}-{e}"}
    run, qrel = ev.write_trec(report, qrels, tmp_path / "trec")
    rows = [line.split() for line in run.read_text().splitlines()]
    assert all(len(r) == 6 and r[1] == "Q0" and r[5] == "qa" for r in rows)
    q4 = [r for r in rows if r[0] == "q4"]
    assert [int(r[3]) for r in q4] == [1, 2, 3]
    assert [float(r[4]) for r in q4] == sorted((float(r[4]) for r in q4), reverse=True)
    assert not [r for r in rows if r[0] in ("q3", "u1")]          # abstentions return nothing
    qrows = [line.split() for line in qrel.read_text().splitlines()]
    assert all(len(r) == 4 and r[1] == "0" and r[3] == "1" for r in qrows)
    assert ["q1", "0", f"a:{s}-{e}", "1"] in qrows
    assert not [r for r in qrows if r[0].startswith("u")]          # unanswerable: no judgements
    # Every answer judged right is relevant (even one whose span is off), and no wrong one
    # is, so trec_eval on these files agrees with the report.
    q4_rel = {r[2] for r in qrows if r[0] == "q4"}
    assert [r[2] in q4_rel for r in q4] == [False, False, True]


def test_trec_files_reproduce_report_metrics(report, tmp_path):
    from ranx import Qrels, Run, evaluate

    run, qrel = ev.write_trec(report, ev.index_qrels(FakeAssistant(SCRIPT), QUESTIONS), tmp_path)
    res = evaluate(Qrels.from_file(str(qrel), kind="trec"), Run.from_file(str(run), kind="trec"),
                   ["hit_rate@1", "hit_rate@3", "mrr@10"], make_comparable=True)
    m = report["metrics"]
    assert res == pytest.approx({"hit_rate@1": m["hit@1"], "hit_rate@3": m["hit@3"], "mrr@10": m["mrr@10"]},
                                abs=1e-4)


# ------------------------------------------------------------------ compare / significance
def _records(correct: list[bool]) -> list[dict]:
    return [{"id": f"q{i}", "answerable": True, "correct": c, "rank": 1 if c else None}
            for i, c in enumerate(correct)]


def test_mcnemar_and_randomization_on_synthetic_pair():
    old = {"metrics": {"hit@1": 0.0}, "questions": _records([False] * 20)}
    new = {"metrics": {"hit@1": 1.0}, "questions": _records([True] * 20)}
    cmp = em.compare(old, new)
    assert cmp["paired"] == 20 and cmp["metrics"]["hit@1"]["delta"] == 1.0
    assert cmp["tests"]["correct"]["new_only"] == 20 and cmp["tests"]["correct"]["p"] < 0.001
    assert cmp["tests"]["reciprocal_rank"]["p"] < 0.01
    same = em.compare(old, old)
    assert same["tests"]["correct"]["p"] == 1.0 and same["tests"]["reciprocal_rank"]["p"] == 1.0
    one = em.compare(old, {"metrics": {}, "questions": _records([True] + [False] * 19)})
    assert one["tests"]["correct"]["p"] == 1.0 and one["changed"] == ["q0"]
    assert "McNemar" in em.format_compare(cmp)


def test_compare_pairs_only_shared_questions():
    old = {"metrics": {}, "questions": _records([True, False, True])}
    new = {"metrics": {}, "questions": _records([True, True])[:1] + [{"id": "zz", "answerable": True,
                                                                     "correct": True, "rank": 1}]}
    assert em.compare(old, new)["paired"] == 1


# ------------------------------------------------------------------ HTML
def test_html_escapes_hostile_text(report):
    evil = "<script>alert('x')</script>"
    rep = json.loads(json.dumps(report))
    rep["questions"][1]["answers"][0]["text"] = evil
    rep["questions"][1]["question"] = '<img src=x onerror="alert(1)">'
    rep["questions"][1]["expected"] = ["</td><b>bold</b>"]
    rep["questions"][1]["kind"] = "<i>kind</i>"
    page = html_report(rep)
    assert "<script>" not in page and "<img src=x" not in page and "<b>bold" not in page and "<i>kind" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page
    assert page.count("data:image/png;base64,") == 2 and "threshold 0.400" in page


# ------------------------------------------------------------------ CLI and file validation
def _args(path, **kw):
    base = dict(questions=str(path), index=None, json_out=None, html_out=None, trec_dir=None,
                compare=None, split=None, model=None)
    return argparse.Namespace(**{**base, **kw})


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_missing_file(tmp_path, capsys):
    from qa.cli import main

    assert main(["eval", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qa: error: no such question file")


@pytest.mark.parametrize("lines,message", [
    (['{"id": "a", "question": "q?", "expected": ["x"], "answerable": true}', "{not json"], ":2: not valid JSON"),
    (['[1, 2]'], ":1: expected a JSON object"),
    (['{"id": "a", "expected": ["x"], "answerable": true}'], ":1: 'question' must be"),
    (['{"id": "a", "question": "q?", "expected": [], "answerable": true}'], "at least one non-empty"),
    (['{"id": "a", "question": "q?", "expected": ["x"], "answerable": false}'], "must have 'expected': []"),
    (['{"id": "a", "question": "q?", "expected": ["x"], "answerable": "yes"}'], "'answerable' must be"),
    (['{"id": "a", "question": "q?", "expected": ["x"], "answerable": true, "history": "q0"}'], "'history'"),
    (['{"id": "a", "question": "q?", "expected": ["x"], "answerable": true}'] * 2, ":2: duplicate id"),
    ([""], "no questions in"),
])
def test_bad_question_files(tmp_path, capsys, lines, message):
    path = _write_lines(tmp_path / "q.jsonl", lines)
    assert eval_cli.main(_args(path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("qa: error: ") and message in err[0], err


def test_split_filter_and_unknown_split(tmp_path, capsys):
    path = _write_lines(tmp_path / "q.jsonl", [json.dumps({**q, "split": s}) for q, s in
                                               zip(QUESTIONS, ["tune", "report"] * 3)])
    assert [q["id"] for q in ev.load_questions(path, "report")] == ["q2", "q4", "u2"]
    assert eval_cli.main(_args(path, split="nosuch")) == 2
    assert "no questions with split 'nosuch'" in capsys.readouterr().err


def test_missing_index_is_a_user_error(tmp_path, capsys):
    path = _write_lines(tmp_path / "q.jsonl", [json.dumps(QUESTIONS[0])])
    assert eval_cli.main(_args(path, index=str(tmp_path / "noindex"))) == 2
    assert "no index at" in capsys.readouterr().err


def test_cli_end_to_end_with_outputs(tmp_path, capsys, monkeypatch):
    from qa.cli import main

    monkeypatch.setattr(eval_cli, "make_assistant", lambda args: FakeAssistant(SCRIPT))
    path = _write_lines(tmp_path / "q.jsonl", [json.dumps(q) for q in QUESTIONS])
    out = tmp_path / "out"
    assert main(["eval", str(path), "--json", str(out / "r.json"), "--html", str(out / "r.html"),
                 "--trec", str(out / "trec")]) == 0
    rep = json.loads((out / "r.json").read_text())
    assert rep["metrics"]["hit@1"] == 0.25 and len(rep["questions"]) == 6
    assert (out / "r.html").read_text().startswith("<!doctype html>")
    assert (out / "trec" / "run.trec").stat().st_size > 0 and (out / "trec" / "qrels.trec").stat().st_size > 0
    assert "hit@1" in capsys.readouterr().out
    # --compare against the report just written: nothing changed, p = 1.
    assert main(["eval", str(path), "--compare", str(out / "r.json")]) == 0
    text = capsys.readouterr().out
    assert "McNemar p=1.0000" in text and "+0.0000" in text
    (out / "bad.json").write_text("{}")
    assert main(["eval", str(path), "--compare", str(out / "bad.json")]) == 2
    assert "not a qa eval JSON report" in capsys.readouterr().err


def test_first_answer_precision_is_split_by_the_unsure_message():
    from qa.evaluation.eval_metrics import _confidence

    def rec(answerable, right, message=None, abstained=False):
        return {"answerable": answerable, "abstained": abstained, "message": message,
                "answers": [] if abstained else [{"text": "x"}], "right": [] if abstained else [right]}
    recs = [rec(True, True), rec(True, True), rec(True, False), rec(False, False),     # plain: 2 of 4
            rec(True, True, "unsure"), rec(True, False, "unsure"), rec(False, False, "unsure"),
            rec(True, False, "not found", abstained=True)]                               # not counted
    assert _confidence(recs) == {"unsure_share": round(3 / 7, 4), "precision_sure": 0.5,
                                 "precision_unsure": round(1 / 3, 4)}
