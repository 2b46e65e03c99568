"""The shipped answer-selection model (qa/answer/answer_model.py, models/answer-minilm/)."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import reread_settings

from qa.answer import answer_model as am

MODEL = am.DEFAULT_PATH


def test_shipped_weights_match_their_checksum():
    """The weights file is the one the model card's figures were measured with."""
    digest = hashlib.sha256((MODEL / am.WEIGHTS).read_bytes()).hexdigest()
    recorded = json.loads((MODEL / "checksums.json").read_text("utf-8"))[am.WEIGHTS]
    assert digest == recorded
    assert digest == json.loads((MODEL / am.CONFIG).read_text("utf-8"))["sha256"]
    assert recorded in (MODEL / "README.md").read_text("utf-8")


def test_shipped_weights_fit_the_size_limit():
    assert (MODEL / am.WEIGHTS).stat().st_size <= 60 * 1024 * 1024


def test_missing_model_turns_the_stage_off(tmp_path):
    assert am.available(MODEL)
    assert not am.available(tmp_path)
    reason = am.unavailable_reason(tmp_path)
    assert reason and str(tmp_path) in reason and "off" in reason
    scorer = am.AnswerScorer(tmp_path)
    assert not scorer.available()
    with pytest.raises(FileNotFoundError, match="answer model not found"):
        scorer.warm_up()


def test_config_without_weights_is_unavailable(tmp_path):
    shutil.copy(MODEL / am.CONFIG, tmp_path / am.CONFIG)
    assert not am.available(tmp_path)
    assert am.WEIGHTS in am.unavailable_reason(tmp_path)


def test_env_variable_points_at_another_model(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_ANSWER_MODEL", str(tmp_path))
    reread_settings()
    assert am.model_path() == tmp_path
    assert not am.available()


def test_importing_the_module_does_not_load_torch():
    """The stage costs nothing until it is used (a subprocess: torch may be loaded here)."""
    import subprocess
    import sys

    code = "import sys, qa.answer.answer_model as m; m.available(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Handmade pairs, none from the seed corpus: for each question, a sentence that answers
# it and one on the same topic that does not, and one off-topic sentence.
PAIRS = [
    ("When did the bridge over the river reopen?",
     "The bridge reopened to traffic on 4 March after eight months of repairs.",
     "The bridge is one of the oldest river crossings in the county.",
     "Wheat prices fell sharply on the commodity markets last week."),
    ("Who won the mayoral election in the city?",
     "Maria Okafor won the mayoral election with 54 per cent of the vote.",
     "Turnout in the city's mayoral election was higher than four years ago.",
     "The orchestra will tour six countries next spring."),
    ("How many people were injured in the factory fire?",
     "Twelve people were injured in the fire, three of them seriously, the fire service said.",
     "The factory, which makes plastic packaging, opened in 1987.",
     "The football club announced a new head coach on Tuesday."),
]


@pytest.fixture(scope="module")
def scorer():
    return am.AnswerScorer(MODEL).warm_up()


@pytest.mark.slow
@pytest.mark.parametrize("question,answer,about,off", PAIRS)
def test_answering_sentence_scores_above_others(scorer, question, answer, about, off):
    p = scorer.score(question, [answer, about, off])
    assert p.shape == (3,) and p.dtype == np.float32
    assert ((p >= 0) & (p <= 1)).all()
    assert p[0] > p[2] + 0.2          # an answer is far above an off-topic sentence
    assert p[0] > p[1]                # and above a sentence that is only about the subject


@pytest.mark.slow
@pytest.mark.parametrize("quantize", [True, False])
def test_scores_do_not_depend_on_batch_company(scorer, quantize):
    """A sentence's probability is the same alone, beside short sentences and beside a long
    one that pads it (int8 batched together moved it by 0.14: dynamic quantisation scales
    per tensor, so int8 scores pairs one at a time)."""
    s = scorer if quantize else am.AnswerScorer(MODEL, quantize=False)
    for q, answer, about, off in PAIRS:
        alone = float(s.score(q, [answer])[0])
        for company in ([about, off], [about + " " + off * 3]):
            assert abs(float(s.score(q, [answer, *company])[0]) - alone) < 1e-4
        assert abs(float(s.score(q, [about, answer, off])[1]) - alone) < 1e-4


@pytest.mark.slow
def test_empty_candidates_and_fp32_agree_with_int8(scorer):
    assert scorer.score("Anything?", []).shape == (0,)
    fp32 = am.AnswerScorer(MODEL, quantize=False)
    q, *sents = PAIRS[1]
    a, b = scorer.score(q, sents), fp32.score(q, sents)
    assert np.argmax(a) == np.argmax(b)
    assert np.abs(a - b).max() < 0.15     # int8 moves probabilities a little, not the order


@pytest.mark.slow
def test_max_len_cuts_each_pair_to_that_many_tokens(scorer):
    """``max_len`` (shorter inputs, docs/answer-model.md): words past the cut change nothing,
    while the model's own 128 tokens still read them."""
    short = am.AnswerScorer(MODEL, max_len=24)
    q, answer, *_ = PAIRS[0]
    tail = " " + "The spokesperson later added that nothing more would be said about it. " * 3
    assert short.score(q, [answer + tail])[0] == pytest.approx(short.score(q, [answer + tail + tail])[0], abs=1e-6)
    assert scorer.score(q, [answer + tail])[0] != pytest.approx(short.score(q, [answer + tail])[0], abs=1e-4)
