"""Fusion functions and grouping of copies of one sentence."""
from __future__ import annotations

import numpy as np

from qa.answer_type import matches, question_type
from qa.dedup import group, shared_stretch
from qa.fusion import convex, minmax, rrf
from qa.textnorm import Tokenizer


def test_convex_ignores_missing_and_zero_weights():
    f = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 2.0])}
    np.testing.assert_allclose(convex(f, {"a": 0.5, "b": 0.25, "c": 1.0}), [0.5, 0.5])
    np.testing.assert_allclose(convex(f, {"a": 0.0}), [0.0, 0.0])


def test_minmax_and_rrf():
    np.testing.assert_allclose(minmax(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])
    np.testing.assert_allclose(minmax(np.array([1.0, 1.0])), [0.0, 0.0])
    fused = rrf([[7, 8], [8, 9]], k=60)
    assert max(fused, key=fused.get) == 8
    assert fused[7] == 1 / 61


def test_copies_group_and_text_is_shared_verbatim():
    tok = Tokenizer()
    texts = [
        "A spokesperson said: “The party is a broad, open and democratic party and we are committed to it.”",
        'A spokeswoman said: "The party is a broad, open and democratic party and we are committed to it."',
        "The vote was 22 to 11.",
        "“The party is a broad, open and democratic party and we are committed to it.”",
    ]
    groups = group(texts, [frozenset(tok.words(t)) for t in texts], limit=3)
    assert len(groups) == 2
    g = groups[0]
    assert g.members == [0, 1, 3]
    for m in g.members:
        assert g.text in texts[m]
    assert "broad, open and democratic party and we are committed to it" in g.text


def test_shared_stretch_refuses_short_overlap():
    assert shared_stretch("The committee met on Tuesday to vote on bans.", "Nothing alike here at all, no.", 45) is None


def test_question_types():
    assert question_type("How long did the meeting last?") == "duration"
    assert question_type("How many people protested?") == "number"
    assert question_type("Who leads the party?") == "person"
    assert question_type("What did she say?") is None
    assert matches("number", "About 200 people came.", "How many people came?")
    assert not matches("number", "People came.", "How many people came?")
    assert matches("person", "Party leader Tobias Wren spoke.", "Who leads the party?")
    assert not matches("person", "The Commonwealth Socialist Forum spoke.", "Who leads the party?")



def test_how_long_wants_a_length_of_time_not_a_clock_time():
    q = "How long did the meeting last?"
    assert question_type(q) == "duration"
    assert matches("duration", "It ran for nearly nine hours.", q)
    assert matches("duration", "It followed an eight-hour meeting.", q)
    assert not matches("duration", "It began at 10am and ended before 7pm.", q)
