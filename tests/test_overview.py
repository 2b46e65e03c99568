"""Questions that ask what the articles report get their opening sentences (qa/answer/overview.py)."""
import numpy as np
import pytest

from qa.answer.overview import OVERVIEW, asks_overview, opening_rows


@pytest.mark.parametrize("question,overview", [
    ("What happened in July 2021?", True), ("What's the news?", True), ("What is this about?", True),
    ("Summarise the articles", True), ("What happened?", True), ("any news today", True),
    ("What happened to the chair?", False), ("What happened at the council meeting?", False),
    ("What is the capital of France?", False), ("What's the weather in Paris tomorrow?", False),
    ("What happened in 1901?", True), ("What is it about?", True),
    ("How are you?", False), ("Hello", False), ("Thanks!", False), ("Who is he?", False),   # no news asked
])
def test_an_overview_question_names_nothing_but_a_time(question, overview):
    assert asks_overview(question) == overview


def test_opening_rows_are_each_articles_first_sentence():
    s_doc = np.array([0, 0, 0, 1, 1, 2])
    assert opening_rows(s_doc, None).tolist() == [0, 3, 5]
    assert opening_rows(s_doc, np.array([True, False, True])).tolist() == [0, 5]


def test_what_happened_then_gets_the_opening_sentences_of_the_articles_from_then(assistant):
    r = assistant.ask("What happened in July 2021?", k=5)
    assert not r.abstained and r.message == OVERVIEW and len(r.answers) == 3
    t = assistant.built.tables
    openings = {assistant.sentence_text(int(i)) for i in opening_rows(t.s_doc, None)}
    assert all(a.text in openings for a in r.answers)
    assert all(c.date.startswith("2021-07") for a in r.answers for c in a.citations)
    dates = [a.citations[0].date for a in r.answers]
    assert dates == sorted(dates, reverse=True)                 # latest first
    one = assistant.ask("What's the news?", k=5, filters={"sources": ["HuffPost UK"]})
    assert [c.source for a in one.answers for c in a.citations] == ["HuffPost UK"]


def test_a_follow_up_or_a_question_naming_something_is_asked_as_usual(assistant):
    assert assistant.ask("What happened to Piers Corbyn?").message != OVERVIEW
    follow = assistant.ask("What happened next?", history=["What did the NEC decide about the panel?"])
    assert follow.message != OVERVIEW
