"""Quality gate: the evaluation harness on the REPORTING half of seeds/questions.jsonl (the
five real articles; 49 answerable and 18 unanswerable questions), with the session's
assistant over seeds/ (real model, the answer-model stage as shipped), must stay above the
thresholds documented in docs/evaluation.md.

Thresholds = the figures measured on the report half minus a margin of about one
question, so a single tie flipping does not fail the build but a real regression does.
Measured 2026-11-26 (session 6: count-type feature, follow-up referents, verdict and detail
disagreements; docs/evaluation.md) with
`qa eval seeds/questions.jsonl --split report --index <fresh index of seeds/>`:
    hit@1 0.816 (40/49; 0.796 in session 8), abstention recall 0.278 (5/18), abstention F1 0.435,
    false-abstention rate 0.000 (0/49), faithfulness 1.000,
    disagreement recall 0.500 (2/4; q080 is the example the naming rule was written from),
    false alarms 0.000 (0/63).
The issue's targets (hit@1 0.85, every off-topic question abstained) are not met; the gate
guards what is measured, it does not claim the targets.
"""
from __future__ import annotations

import pytest

from conftest import SEEDS

pytestmark = pytest.mark.slow

# measured 0.796 (39/49) in session 8 (one question less: 0.776); 0.816 before, when q051's
# own typo ("Aliance") was not yet written as "Alliance" for the encoder (docs/evaluation.md,
# "Questions typed less carefully")
MIN_HIT_AT_1 = 0.77
MIN_ABSTENTION_RECALL = 0.22        # measured 0.278 (one question less: 0.222)
MIN_ABSTENTION_F1 = 0.36            # measured 0.435 (recall 0.222 at precision 1.0: 0.364)
MAX_FALSE_ABSTENTION_RATE = 0.05    # measured 0.000 (two questions more: 0.041)
MIN_DISAGREEMENT_RECALL = 0.50      # measured 0.750 in session 7 (one question less: 0.500)
MAX_FALSE_ALARM_RATE = 0.02         # the "at most once in fifty"; measured 0.000


@pytest.fixture(scope="module")
def report(assistant):
    from qa.evaluation.evaluate import evaluate, load_questions

    questions = load_questions(SEEDS / "questions.jsonl", split="report")
    assert len(questions) == 67
    # prime: batch-encode the questions first (fast); latency is not under test here.
    return evaluate(assistant, questions, progress=False, prime=True)


def _failures(report, pred) -> str:
    bad = [f"{r['id']} ({r['kind']}): {r['question']!r} -> "
           + ("abstained" if r["abstained"] else repr(r["answers"][0]["text"][:80]))
           for r in report["questions"] if pred(r)]
    return "\n".join(bad)


def test_hit_at_1(report):
    m = report["metrics"]
    assert m["hit@1"] >= MIN_HIT_AT_1, \
        f"hit@1 {m['hit@1']} < {MIN_HIT_AT_1}; wrong first answers:\n" + \
        _failures(report, lambda r: r["answerable"] and not r["correct"])


def test_abstention(report):
    m = report["metrics"]
    msg = "answered instead of abstaining:\n" + _failures(report, lambda r: not r["answerable"] and not r["abstained"])
    assert m["abstention_recall"] >= MIN_ABSTENTION_RECALL, f"recall {m['abstention_recall']}; {msg}"
    assert m["abstention_f1"] >= MIN_ABSTENTION_F1, f"F1 {m['abstention_f1']}; {msg}"


def test_false_abstentions(report):
    m = report["metrics"]
    assert m["false_abstention_rate"] <= MAX_FALSE_ABSTENTION_RATE, \
        "abstained on answerable questions:\n" + _failures(report, lambda r: r["answerable"] and r["abstained"])


def test_disagreements(report):
    m = report["metrics"]
    assert m["disagreement_recall"] >= MIN_DISAGREEMENT_RECALL, "missed:\n" + _failures(
        report, lambda r: r["kind"] == "disagreement" and not r.get("disagreements"))
    assert m["disagreement_false_alarm_rate"] <= MAX_FALSE_ALARM_RATE, "false alarms:\n" + _failures(
        report, lambda r: r["kind"] != "disagreement" and r.get("disagreements"))


def test_every_answer_is_a_verbatim_copy_of_its_citations(report):
    m = report["metrics"]
    assert m["answers"] > 0
    assert m["faithfulness"] == 1.0, \
        _failures(report, lambda r: not all(r["faithful"]))


def test_every_expected_phrase_is_in_the_index(report):
    # A question no indexed sentence can answer measures the question file, not the ranking.
    assert report["meta"]["unfindable"] == []


def test_cli_gives_the_same_figures(report, assistant, tmp_path, monkeypatch, capsys):
    """`qa eval --split report` through the CLI path: same metrics (bar latency), files written."""
    import json

    from qa.evaluation import eval_cli
    from qa.cli import main

    monkeypatch.setattr(eval_cli, "make_assistant", lambda args: assistant)   # reuse the loaded model
    out = tmp_path / "r.json"
    assert main(["eval", str(SEEDS / "questions.jsonl"), "--split", "report", "--json", str(out)]) == 0
    got = json.loads(out.read_text())["metrics"]
    assert _without_latency(got) == _without_latency(report["metrics"])
    assert "hit@1" in capsys.readouterr().out


def _without_latency(m: dict) -> dict:
    out = {k: v for k, v in m.items() if not k.startswith("latency") and k != "by_kind"}
    if "by_kind" in m:
        out["by_kind"] = {k: _without_latency(v) for k, v in m["by_kind"].items()}
    return out
