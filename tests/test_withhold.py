"""Asked how many or how much, an answer is withheld when neither the first answer nor
one scoring near it says any quantity (qa/answer/abstention.py ``withholds``,
qa/answer/numbers.py ``tells_quantity``)."""
from __future__ import annotations

import pytest

from qa.answer.numbers import tells_quantity
from qa.answer.retrieve import Query, asks_count


@pytest.mark.parametrize("text", [
    "The council closed 12 libraries.",
    "Hundreds of members left.",
    "Only a few members stayed.",            # a word of quantity is an answer in words
    "All of the members voted for it.",
    "Entry is free.",
    "Some twenty people marched.",
    "The board banned Acme Up North, the Tenants Union and Friends of the Park.",   # names to count
])
def test_sentences_that_tell_a_quantity(text):
    assert tells_quantity(text)


@pytest.mark.parametrize("text", [
    "A protest outside the town hall included a speech by the mayor.",
    "The chief executive attended the meeting to give an update.",
    "Ann Lee, the chair, spoke to Bo Ray and Cy Tan.",     # names, but no list of three
])
def test_sentences_that_tell_none(text):
    assert not tells_quantity(text)


def test_which_questions_ask_a_count():
    assert asks_count(Query("How many people marched?", [], ""))
    assert asks_count(Query("How many of the Acme Up North were expelled?", [], ""))   # noun not read
    assert asks_count(Query("How much did the bridge cost?", [], ""))
    assert asks_count(Query("What was the vote?", [], ""))                           # a tally
    assert not asks_count(Query("How much did the mayor care?", [], ""))             # a degree
    assert not asks_count(Query("Who led the march?", [], ""))


@pytest.mark.slow
def test_real_articles_withhold_a_count_they_do_not_give(assistant):
    # the articles say what the group is for, but nothing near the best answer counts anything
    r = assistant.ask("How many Labour in Exile Network members were expelled?")
    assert r.abstained, [a.text for a in r.answers]
    # a first answer without a count, with one scoring near it: the reader weighs both, so it
    # is answered (the second gives the figures the articles disagree on)
    r = assistant.ask("How many people could be expelled from Labour?", k=5)
    assert not r.abstained and [d.kind for d in r.disagreements if d.kind == "figures"] == ["figures"]
    # a count they give is answered
    r = assistant.ask("How many NEC members voted to ban the AWL?")
    assert not r.abstained and any(ch.isdigit() for ch in r.answers[0].text)


def test_a_question_about_a_vote_does_not_ask_a_count():
    assert asks_count(Query("What was the vote?", [], ""))
    assert asks_count(Query("By what margin did the motion pass?", [], ""))
    assert not asks_count(Query("What did the spokesperson say after the vote?", [], ""))
