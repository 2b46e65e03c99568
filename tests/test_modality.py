"""Figures stated as prospects do not answer a question asking what is, or was, in fact
(qa/answer/modality.py), nor disagree about it."""
from __future__ import annotations

import pytest

from qa.answer.disagree import FIGURES, Disagreement, disagreements
from qa.answer.modality import asks_settled, settled_figures
from qa.answer.retrieve import Query, lacks_asked_value
from qa.types import Answer, Citation


def _ans(text: str, doc: str, score: float = 0.8) -> Answer:
    cite = Citation(doc, f"Title {doc}", f"Outlet {doc}", "2023-03-01", None, f"{doc}:p0", 0, len(text))
    return Answer(text, score, {"before": None, "after": None}, (cite,))


@pytest.mark.parametrize("question", [
    "How many members does the club have?",
    "how many members did the union have in 2019?",
    "How many members were actually expelled in the end?",
    "How many jobs have been lost so far?",
    "How much did the bridge cost in total?",
])
def test_questions_asking_a_settled_figure(question):
    assert asks_settled(question)


@pytest.mark.parametrize("question", [
    "How many members were expelled?",                 # past tense alone: often asked of a forecast
    "How many members could be expelled?",
    "How many members will the club have next year?",  # a prospect asked
    "How many jobs are expected to go so far?",
    "How many members face expulsion in the end?",
    "How many players did the club have to sell?",     # "have to" is no possession
    "How many stations are there on the new line?",    # often asked of what is planned
])
def test_questions_not_asking_a_settled_figure(question):
    assert not asks_settled(question)


def test_figures_in_a_clause_stating_a_prospect_are_left_out():
    assert settled_figures("As many as 1,000 members could be expelled.") == []
    assert settled_figures("Reports suggest the ban may lead to the expulsion of 1,000 members.") == []
    assert settled_figures("Hundreds of supporters will be expelled within days.") == []
    assert settled_figures("Some 300 jobs are at risk.") == []
    # the clause decides: "1,000" keeps its comma, "400,000" is a fact in its own clause
    kept = settled_figures("The club, which has 400,000 members, could lose 1,000 of them.")
    assert [f.lo for f in kept] == [400000.0]
    # "May" the month is no modal verb
    assert [f.lo for f in settled_figures("In May, 300 members were expelled.")] == [300.0]


def test_a_prospect_does_not_answer_a_settled_count():
    settled = Query("How many members does the club have?", [], "")
    assert lacks_asked_value(settled, "As many as 1,000 members could be expelled.")
    assert not lacks_asked_value(settled, "The club has 1,000 members.")
    # asked about the prospect, the prospect answers
    asked = Query("How many members could be expelled?", [], "")
    assert not lacks_asked_value(asked, "As many as 1,000 members could be expelled.")
    cost = Query("How much did the bridge cost in total?", [], "")
    assert lacks_asked_value(cost, "The bridge could cost £2bn.")
    assert not lacks_asked_value(cost, "The bridge cost £2bn.")


def test_different_prospects_are_no_disagreement_about_a_settled_count():
    answers = [_ans("As many as 1,000 members could be expelled, a paper said.", "a"),
               _ans("Hundreds of supporters will be expelled within days.", "b", 0.75)]
    assert disagreements("How many members were actually expelled?", answers) == ()
    # asked about the prospect, they disagree
    assert disagreements("How many members will be expelled?", answers)[0].kind == "figures"
    # outcomes stated as facts still disagree on a settled question
    facts = [_ans("In the end 1,000 members were expelled.", "a"),
             _ans("In the end 300 members were expelled.", "b", 0.75)]
    assert disagreements("How many members were actually expelled?", facts) == \
        (Disagreement("figures", FIGURES, ((0,), (1,))),)


@pytest.mark.slow
def test_real_articles_withhold_a_prospect_for_a_settled_count(assistant):
    # the articles give forecasts of members to be expelled, not how many the group has
    r = assistant.ask("How many members does Momentum have?", k=10)
    assert not [d for d in r.disagreements if d.kind == "figures"]
    assert r.abstained or r.message is not None
    # asked about the forecast, both sides are shown
    r = assistant.ask("How many members could lose their membership?", k=10)
    assert [d.kind for d in r.disagreements if d.kind == "figures"] == ["figures"], [a.text for a in r.answers]
