"""The time a question names, and which articles are from then (qa/answer/when.py)."""
from __future__ import annotations

import numpy as np
import pytest

from qa.answer.when import articles_from, month_table, named_period, sentence_periods


@pytest.mark.parametrize("question, period", [
    ("Which three groups were banned in March 2022?", (2022, 3)),
    ("wich groups got banned in march 2022", (2022, 3)),
    ("How did she describe the July meeting?", (None, 7)),
    ("What happened at the March meeting?", (None, 3)),
    ("what happened in march", (None, 3)),
    ("What was decided in 2021?", (2021, None)),
    ("What happened in May 2021?", (2021, 5)),
    # "may" and "march" as ordinary words, and years that are not times asked about
    ("How many people joined the march?", None),
    ("May I ask who chaired it?", None),
    ("Who may be expelled?", None),
    ("Who is the 2021 chair?", (2021, None)),                    # a year before what it dates
    ("How many groups are on the 2019 list?", (2019, None)),
    ("What did 2019's budget cut?", (2019, None)),
    ("Who won the 2019-20 title?", None),                      # a season, not a year
    ("What happened in the 1990s?", None),
    ("What is the capital of France?", None),
])
def test_named_period(question, period):
    assert named_period(question) == period


DATES = np.array(["2021-07-20", "2021-07-21", "2021-08-02", "2022-03-16", ""])


def test_articles_from_a_month_include_the_week_after_it():
    t = month_table(DATES)
    assert articles_from(t, (None, 7)).tolist() == [True, True, True, False, False]   # 2 Aug: a July story
    assert articles_from(t, (2022, 3)).tolist() == [False, False, False, True, False]
    assert articles_from(t, (2021, None)).tolist() == [True, True, True, False, False]
    assert articles_from(t, (2019, 1)).tolist() == [False] * 5        # no article from then


def test_a_time_that_tells_nothing_gives_none():
    t = month_table(DATES)
    assert articles_from(t, None) is None
    assert articles_from(month_table(DATES[:2]), (2021, 7)) is None   # every dated article is
    assert articles_from(month_table(np.array(["", ""])), (2021, 7)) is None   # none is dated
    assert articles_from(month_table(np.array([], dtype=str)), (2021, 7)) is None


def test_a_named_time_prefers_the_articles_from_then(assistant):
    """Momentum spoke after both rounds of bans; the month the question names decides."""
    for month, date in (("March 2022", "2022-03"), ("July 2021", "2021-07")):
        top = assistant.ask(f"What did Momentum say in {month}?").answers[0]
        assert all(c.date and c.date.startswith(date) for c in top.citations), (month, top.text)


def test_a_follow_up_keeps_the_time_of_the_question_before(assistant):
    q = assistant.query("What was the vote?", ["Which groups were banned in March 2022?"])
    assert q.period == (2022, 3)
    own = assistant.query("And in July 2021?", ["Which groups were banned in March 2022?"])
    assert own.period == (2021, 7)                       # a time of its own wins
    assert assistant.query("What was the vote?", []).period is None


@pytest.mark.parametrize("text, date, named", [
    ("The council agreed to close two libraries after closing three in July last year.",
     "2022-03-29", [(2021, 7)]),
    ("The libraries closed in July.", "2022-03-29", [(2021, 7)]),        # the last July before March 2022
    ("The libraries closed in February.", "2022-03-29", [(2022, 2)]),
    ("The scheme was first proposed in 1990.", "2022-03-29", [(1990, None)]),
    ("The 2019 budget cut the grant.", "2022-03-29", [(2019, None)]),      # a year before what it dates
    ("It happened in May 2019, long before the march.", "2021-07-20", [(2019, 5)]),
    ("Last year, the council closed four libraries.", "2022-03-29", [(2021, None)]),
    ("Last year, the council closed four libraries.", None, []),          # cannot be placed
    ("The libraries closed in July.", None, [(None, 7)]),
    ("The council closed two libraries today.", "2022-03-29", [(2022, 3)]),   # the article's own time
    ("The council closed two libraries today.", None, []),
    ("The council agreed on Monday to close two after closing three in July last year.", "2022-03-29",
     [(2021, 7), (2022, 3)]),
])
def test_the_months_and_years_a_sentence_names(text, date, named):
    assert sentence_periods(text, date) == tuple(named)


def test_a_sentence_naming_another_time_does_not_answer_for_the_time_asked():
    from qa.answer.retrieve import sentence_time_mismatch

    march = (2022, 3)
    both = "The council agreed on Monday to close two more after closing three in July last year."
    # a sentence that names a time besides the one asked about is about that time too
    assert sentence_time_mismatch(march, both, "2022-03-29", 0.0) == 1.0
    assert sentence_time_mismatch((2021, 7), both, "2022-03-29", 1.0) == 1.0
    assert sentence_time_mismatch(march, "The council closed two libraries today.", "2022-03-29", 0.0) == 0.0
    # one that names only the time asked about answers for it, though published later
    assert sentence_time_mismatch((2021, 7), "Three closed in July last year.", "2022-03-29", 1.0) == 0.0
    assert sentence_time_mismatch((2021, 7), "The council closed two today.", "2022-03-29", 1.0) == 1.0
    assert sentence_time_mismatch((2021, 7), "The council met.", "2022-03-29", 1.0) == 1.0   # the article's


def test_a_time_alone_is_a_follow_up(assistant):
    # "And in March 2022?" names a time, not a subject: it asks the question before again,
    # about that time (it was read as a new question of two words and abstained).
    hist = ["What did Momentum say in July 2021?"]
    q = assistant.query("And in March 2022?", hist)
    assert q.extra and q.period == (2022, 3)
    r = assistant.ask("And in March 2022?", history=hist)
    assert not r.abstained and "Momentum" in r.answers[0].text
    assert all(c.date and c.date.startswith("2022-03") for c in r.answers[0].citations)


def test_a_time_no_article_is_from_is_still_read_in_the_sentences(assistant):
    # No article is from 1990, so no article is favoured; a sentence naming 1990 is about it
    # and one naming another time is not (it was not read at all when no article matched).
    cand, feats = assistant.features("What happened in 1990?")
    texts = [assistant.sentence_text(int(i)) for i in cand]
    dates = [assistant.doc_dates[assistant.built.tables.s_doc[int(i)]] or None for i in cand]
    rows = list(zip(texts, dates, feats["time_mismatch"]))
    named = [m for t, d, m in rows if "1990" in t]
    others = [m for t, d, m in rows if sentence_periods(t, d) and "1990" not in t]   # "last year", "on Tuesday"
    assert named and all(m == 0.0 for m in named)
    assert others and all(m == 1.0 for m in others)
    # and the rest are not told apart by their articles' dates
    assert not any(m for t, d, m in rows if not sentence_periods(t, d))
    r = assistant.ask("What happened in 1990?")
    assert not r.abstained and "1990" in r.answers[0].text
