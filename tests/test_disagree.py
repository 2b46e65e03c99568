"""Disagreements between articles (issue #15): different figures for what is asked, and
one statement quoted in different words. Unit tests on made-up answers; end to end on
the real seed articles; the harness's recall and false-alarm scoring."""
from __future__ import annotations

import json

import pytest

from qa.evaluation import eval_metrics as em
from qa.answer.disagree import FIGURES, WORDING, Disagreement, disagreements
from qa.answer.tellings import quotes, reworded
from qa.evaluation.evaluate import EvalError, check_question, make_record
from qa.answer.answer_type import matches, question_type
from qa.answer.quantities import asked_quantity, figures, overlap
from qa.types import Answer, Citation, Result

DAY = "2023-05-02"


def _ans(text: str, doc: str, score: float = 0.8, date: str | None = DAY, *more_docs: str) -> Answer:
    cites = tuple(Citation(d, f"Title {d}", None, date, None, f"{d}:p0", 0, len(text)) for d in (doc, *more_docs))
    return Answer(text, score, {"before": None, "after": None}, cites)


# ------------------------------------------------------------------ reading values
@pytest.mark.parametrize("text,unit,lo,hi", [
    ("as many as 1,000 members could leave", "people", 950, 1050),
    ("a thousand members left", "people", 1000, 1000),
    ("20 of the members voted", "people", 20, 20),
    ("one thousand members left", "people", 1000, 1000),
    ("Hundreds of far-flung supporters marched", "people", 200, 900),
    ("several hundred activists", "people", 200, 900),
    ("tens of thousands of protesters", "people", 20000, 90000),
    ("two hundred and fifty-five workers", "people", 255, 255),
    ("more than 40% of voters", "percent", 40, float("inf")),
    ("after a nine-hour meeting", "duration:meet", 540, 540),
    ("the talks lasted nine hours", "duration", 540, 540),
    ("by a margin of 20 votes to 12", "tally", 20_000_012, 20_000_012),
    ("members of the union voted 412 to 88 to strike", "tally", 412_000_088, 412_000_088),
    ("it cost £1.5bn", "money:£", 1.5e9, 1.5e9),
    ("closed four branches", "branch", 4, 4),
])
def test_values_are_read_with_their_unit(text, unit, lo, hi):
    assert [(f.unit, f.lo, f.hi) for f in figures(text)] == [(unit, lo, hi)]


@pytest.mark.parametrize("text", [
    "three more branches closed", "the other two branches", "a 20-year-old man", "an hour ago",
    "two days after the vote", "three weeks later",
    "Covid-19 at 10am, 18:49 BST 20/07/2021", "with two-to-one majorities for most of them",
    "one of them said", "11 voted against"])
def test_no_value_is_read_where_none_is_counted(text):
    assert figures(text) == []


def test_a_for_and_against_count_is_a_tally_and_more_reads_counts_of_another_set():
    text = "The board said 20 members voted in favour of the plan and 11 voted against."
    assert [(f.unit, f.lo) for f in figures(text)] == [("tally", 20_000_011), ("people", 20)]
    assert [(f.unit, f.lo) for f in figures("12 of them voted to close it and 3 against")] == [("tally", 12_000_003)]
    assert [(f.unit, f.lo) for f in figures("three factions and two organisations")] == [("groups", 3), ("groups", 2)]
    assert figures("the council closed three more libraries") == []
    assert [(f.unit, f.lo) for f in figures("the council closed three more libraries", more=True)] == [("librari", 3)]


def test_a_question_that_names_what_it_counts_prefers_a_sentence_counting_it():
    from qa.answer.quantities import asked_quantity
    from qa.answer.retrieve import Query, count_mismatch

    q = Query("How many libraries did the council close?", [], "")
    fits = asked_quantity(q.text)
    assert count_mismatch(fits, q, "The council closed three more libraries on Friday.") == 0.0
    assert count_mismatch(fits, q, "The council met for nine hours.") == 0.5     # a number, of hours
    assert count_mismatch(fits, q, "The council closed libraries.") == 1.0
    vote = Query("What was the vote on the closure?", [], "")
    assert count_mismatch(asked_quantity(vote.text), vote, "Nine members voted for it and four against.") == 0.0
    assert asked_quantity("Who chaired the meeting?") is None


def test_an_answer_without_the_value_asked_for_lacks_it():
    from qa.answer.retrieve import Query, lacks_asked_value

    count = Query("How many libraries did the council close?", [], "")
    assert not lacks_asked_value(count, "The council closed three libraries.")
    assert lacks_asked_value(count, "The council met for nine hours.")
    when = Query("When did the library close?", [], "")
    assert lacks_asked_value(when, "The library closed after a long campaign.")
    assert not lacks_asked_value(when, "The library closed in March 2021.")
    assert not lacks_asked_value(Query("Why did the library close?", [], ""), "It closed.")   # no value asked


def test_an_answer_to_who_did_it_holds_a_word_of_what_they_did():
    from qa.answer.retrieve import Query, lacks_asked_value
    from qa.ingest.textnorm import Tokenizer

    tok = Tokenizer()
    q = "Who founded the Tenants Union?"
    who = Query(q, tok(q), q, tokenize=tok)
    assert who.relation == frozenset(tok("founded"))            # the name's words are not the relation
    assert lacks_asked_value(who, "The Tenants Union campaigned for rent caps.")
    assert not lacks_asked_value(who, "The Tenants Union was founded by Ann Lee in 1990.")
    assert not lacks_asked_value(who, "Ann Lee, who founded it, spoke first.")
    assert Query("Who is Ann Lee?", tok("Who is Ann Lee?"), "", tokenize=tok).relation == frozenset()
    assert Query(q, tok(q), q).relation == frozenset()       # without the index's tokenizer: no check


def test_an_answer_to_when_it_was_done_holds_a_word_of_what_was_done():
    from qa.answer.retrieve import Query, lacks_asked_value
    from qa.ingest.textnorm import Tokenizer

    tok = Tokenizer()
    q = "When was the Tenants Union founded?"
    when = Query(q, tok(q), q, tokenize=tok)
    assert when.relation == frozenset(tok("founded"))
    # a date of something else is no answer ("banned in July" for "When was it founded?")
    assert lacks_asked_value(when, "The Tenants Union was banned by the council in July.")
    assert not lacks_asked_value(when, "The Tenants Union was founded in 1990.")
    assert lacks_asked_value(when, "The Tenants Union was founded by Ann Lee.")     # and still a date


def test_what_was_done_is_read_without_the_years_named_and_with_its_word_family():
    from qa.answer.retrieve import Query, lacks_asked_value
    from qa.ingest.textnorm import Tokenizer

    tok = Tokenizer()
    q = "Who chaired the Tenants Union in 2019?"
    who = Query(q, tok(q), q, tokenize=tok)
    assert who.relation == frozenset(tok("chaired"))            # "2019" says when, not what was done
    q = "In what year did the Tenants Union change its name?"       # nor does the "year" asked for
    assert Query(q, tok(q), q, tokenize=tok).relation == frozenset(tok("change name"))
    assert lacks_asked_value(who, "The Tenants Union marched in 2019.")
    q = "Who was the creator of the Tenants Union?"
    who = Query(q, tok(q), q, tokenize=tok)
    # another word of the family: "creator" / "created", "successor" / "succeeded"
    assert not lacks_asked_value(who, "The Tenants Union was created by Ann Lee.")
    assert lacks_asked_value(who, "The Tenants Union was banned by the council.")
    q = "Who succeeded Ann Lee?"
    assert not lacks_asked_value(Query(q, tok(q), q, tokenize=tok), "Her successor, Bo Ray, took over.")
    # short stems stay apart: "win" is not "wine"
    q = "Who won the Acme Prize?"
    assert lacks_asked_value(Query(q, tok(q), q, tokenize=tok), "The Acme Prize dinner served wine.")


def test_a_question_whose_when_joins_a_clause_does_not_ask_a_date():
    from qa.answer.retrieve import Query, lacks_asked_value

    assert question_type("What happens to the fund when the council closes?") is None
    assert question_type("Who led the union when the strike began?") == "person"
    assert question_type("Why did members walk out when the vote was called?") == "reason"
    assert question_type("And when did the strike begin?") == "date"
    assert question_type("Tell me when the strike began.") == "date"
    assert question_type("When the strike began, who led the union?") is None   # a clause, then the ask
    assert question_type("When did the strike begin, and who led it?") == "date"
    # centuries, decades and days of the week in the plural tell a time too
    assert matches("date", "The hall was built in the mid-18th century.", "When was the hall built?")
    assert matches("date", "The show aired on Sundays.", "What day did the show air?")
    # "next" or "last" tells a time only of a time: "the next day", not "the next meeting"
    assert matches("date", "He answered the next day.", "When did he answer?")
    assert not matches("date", "It goes to the next council meeting.", "When will it be decided?")
    assert not lacks_asked_value(Query("What happens to the fund when the council closes?", [], ""),
                                 "The fund is wound up and its money returned to members.")


def test_a_count_is_asked_only_by_a_question_asking_how_many():
    # "a large number of settlers" inside a where-question asks for a place, not a count
    assert asked_quantity("Where did the council send a large number of tenants?") is None
    assert asked_quantity("Why does the island have a smaller number of voters?") is None
    assert asked_quantity("What was the total number of homes built?") is not None   # no other kind: a count
    # a percentage is answered by a figure in per cent, or, asked of a vote, by its tally
    share = asked_quantity("What percentage of tenants backed the strike?")
    assert share("percent") and not share("people")
    assert asked_quantity("What percentage of the vote did she win?")("tally")
    # a number joined to a noun counts it: "a 33-yard kick" (yards), "a two-man crew" (people)
    assert [f.unit for f in figures("He scored with a 33-yard kick.")] == ["yard"]
    assert [f.unit for f in figures("A two-man crew flew it.")] == ["people"]
    assert figures("A 20-year-old man was held.") == []
    # "N of the M <noun>" counts the noun twice; an adjective in "-ous" is no plural noun
    assert [f.unit for f in figures("Only 39 of the 43 previous tenants stayed.")] == ["people", "people"]
    assert [f.unit for f in figures("Some 3,000 civilians fled.")] == ["people"]


@pytest.mark.slow
def test_a_first_answer_without_the_asked_count_is_marked_unsure(assistant):
    from qa.answer.engine import UNSURE

    r = assistant.ask("How many members does the Alliance for Workers' Liberty have?")
    assert not r.abstained and r.message == UNSURE, (r.message, r.answers[0].text)


# ------------------------------------------------------------------ figures
Q_COUNT = "How many members could be expelled?"


def test_same_value_in_other_words_is_no_disagreement():
    answers = [_ans("As many as 1,000 members could be expelled.", "a"),
               _ans("About a thousand members face expulsion.", "b", 0.75),
               _ans("Reports say 1,000 party members may be expelled.", "c", 0.7)]
    assert disagreements(Q_COUNT, answers) == ()


def test_different_counts_are_a_disagreement():
    answers = [_ans("As many as 1,000 members could be expelled, a paper said.", "a"),
               _ans("Hundreds of supporters will be expelled within days.", "b", 0.7),
               _ans("The vote was held on a Tuesday.", "c", 0.72)]
    assert disagreements(Q_COUNT, answers) == (Disagreement("figures", FIGURES, ((0,), (1,))),)
    # each side gathers every answer with its value, from any number of articles
    answers.append(_ans("Up to 1,000 party members may go.", "d", 0.68))
    assert disagreements(Q_COUNT, answers)[0].answers == ((0, 3), (1,))


def test_duration_in_other_words_is_no_disagreement():
    answers = [_ans("The decision came at a nine-hour meeting.", "a"),
               _ans("During its nine hour meeting, the board also met staff.", "b", 0.7)]
    assert disagreements("How long did the meeting last?", answers) == ()
    answers[1] = _ans("During its six-hour meeting, the board also met staff.", "b", 0.7)
    assert disagreements("How long did the meeting last?", answers)[0].kind == "figures"


@pytest.mark.parametrize("question,first,second", [
    # both can be true: most votes two to one, the narrowest 20 to 12
    ("What was the vote?", "The votes gave two-to-one majorities for most of them.",
     "The narrowest vote was by a margin of 20 votes to 12."),
    # a count of another unit: members, not votes
    ("What was the vote?", "Twenty members voted in favour of the ban.", "The ban passed by 20 votes to 12."),
    # another set of groups
    ("How many groups were banned?", "The board banned four groups.", "It then banned three more groups."),
    # not a quantity question
    ("Why were members expelled?", "As many as 1,000 members could be expelled.",
     "Hundreds of supporters will be expelled."),
])
def test_figures_that_can_both_be_true_are_no_disagreement(question, first, second):
    assert disagreements(question, [_ans(first, "a"), _ans(second, "b", 0.75)]) == ()


def test_sides_must_be_different_articles_of_one_occasion_and_score_near_the_best():
    one, other = "As many as 1,000 members could be expelled.", "Hundreds of supporters will be expelled."
    assert disagreements(Q_COUNT, [_ans(one, "a"), _ans(other, "b", 0.7)])          # the control
    assert disagreements(Q_COUNT, [_ans(one, "a"), _ans(other, "a", 0.7)]) == ()    # one article gives both
    assert disagreements(Q_COUNT, [_ans(one, "a", 0.8, DAY, "b"), _ans(other, "b", 0.7)]) == ()
    assert disagreements(Q_COUNT, [_ans(one, "a"), _ans(other, "b", 0.7, "2023-09-30")]) == ()  # months later
    # Far below the best and after the first SHOWN answers (those are compared whatever they score).
    filler = [_ans(f"Nothing is counted in sentence number {n} here.", f"f{n}", 0.79) for n in range(2)]
    assert disagreements(Q_COUNT, [_ans(one, "a"), *filler, _ans(other, "b", 0.8 - 0.2)]) == ()
    assert disagreements(Q_COUNT, [_ans(one, "a"), _ans(other, "b", 0.8 - 0.2)])     # shown second
    assert disagreements(Q_COUNT, [_ans(one, "a"), _ans(other, "b", 0.7)], floor=0.75) == ()


# ------------------------------------------------------------------ wording
SAID = "A spokesman said the cuts would “create hundreds of pointless and time-consuming reviews for staff”."
SAID_DIFFERENTLY = "“The cuts will create hundreds more pointless and time-consuming reviews for staff,” he said."


def test_a_quote_worded_differently_is_a_disagreement():
    answers = [_ans(SAID, "a"), _ans(SAID_DIFFERENTLY, "b", 0.7)]
    assert disagreements("What did the spokesman say?", answers) == \
        (Disagreement("wording", WORDING, ((0,), (1,))),)
    assert disagreements("What did the spokesman say?", [_ans(SAID, "a"), _ans(SAID_DIFFERENTLY, "a", 0.7)]) == ()


@pytest.mark.parametrize("other", [
    # the same words: other quote marks, punctuation, a British spelling, a shorter excerpt
    "He said the cuts would \"create hundreds of pointless and time-consuming reviews for staff.\"",
    "He said the cuts would ‘create hundreds of pointless and time‑consuming reviews for staff’.",
    "“Create hundreds of pointless and time-consuming reviews” was his phrase, organised or not.",
    "The cuts would “create hundreds of pointless and time-consuming reviews”, he said.",
    # words left out with an ellipsis are marked, not misquoted
    "He said the cuts would “create hundreds of … reviews for staff”.",
    # not a quote at all
    "The cuts would create hundreds more pointless and time-consuming reviews for staff.",
])
def test_the_same_quote_is_no_disagreement(other):
    assert disagreements("What did the spokesman say?", [_ans(SAID, "a"), _ans(other, "b", 0.7)]) == ()


# One speaker's verdict, quoted in other words by each outlet ("X said it was '…'").
VERDICT = "Ms Grant said it was ‘reckless’ and ‘premature’ to close the library."
VERDICT_OTHER = "Former minister Alice Grant had tweeted that it was a “cynical” ploy to save money."


def test_one_speakers_verdict_quoted_in_other_words_is_a_disagreement():
    answers = [_ans(VERDICT, "a"), _ans(VERDICT_OTHER, "b", 0.7)]
    for question in ("What did Alice Grant say about the closure?", "How did Grant react to the closure?",
                     "What was Grant's reaction to the closure?", "What did Grant call the closure?"):
        assert disagreements(question, answers) == (Disagreement("wording", WORDING, ((0,), (1,))),)


@pytest.mark.parametrize("question,first,second", [
    # the question does not ask what the speaker said
    ("Who is Alice Grant?", VERDICT, VERDICT_OTHER),
    ("What did Alice Grant call for?", VERDICT, VERDICT_OTHER),      # a demand, not a verdict
    # the question names no speaker of both
    ("What did the council say about the closure?", VERDICT, VERDICT_OTHER),
    # two speakers, each quoted once
    ("What did Grant say about the closure?", VERDICT, "Mr Patel said it was a “cynical” ploy to save money."),
    # the same word quoted by both outlets
    ("What did Grant say about the closure?", VERDICT, "Alice Grant tweeted that it was ‘reckless’ to close it."),
    # not a verdict in that frame: what the speaker said will happen
    ("What did Grant say about the closure?", VERDICT, "Grant warned the closure would “leave children nowhere”."),
])
def test_verdicts_that_are_no_disagreement(question, first, second):
    assert disagreements(question, [_ans(first, "a"), _ans(second, "b", 0.7)]) == ()
    assert disagreements("What did Grant say?", [_ans(VERDICT, "a"), _ans(VERDICT_OTHER, "a", 0.7)]) == ()


# One thing told in the same words, one outlet going on with a word where the other stops.
SHORT = "Residents backed Ms Grant, who remains suspended from the tennis club, and marched."
LONGER = "Many members supported Grant, who remains suspended from the tennis club committee after the row."


def test_one_outlet_saying_more_is_a_detail_disagreement():
    from qa.answer.disagree import DETAIL

    question = "Is Grant suspended from the club?"
    assert disagreements(question, [_ans(SHORT, "a"), _ans(LONGER, "b", 0.7)]) == \
        (Disagreement("detail", DETAIL, ((0,), (1,))),)
    assert disagreements(question, [_ans(LONGER, "a"), _ans(SHORT, "b", 0.7)]) == \
        (Disagreement("detail", DETAIL, ((0,), (1,))),)


@pytest.mark.parametrize("question,answers", [
    # the same article
    ("Is Grant suspended from the club?", [(SHORT, "a"), (LONGER, "a")]),
    # the shared words hold no word of the question
    ("Why did members march?", [(SHORT, "a"), (LONGER, "b")]),
    # the one going on is neither the first answer nor paired with it
    ("Is Grant suspended from the club?", [("Grant spoke.", "c"), (SHORT, "a"), (LONGER, "b")]),
    # both stop at the same place, or go on with a little word
    ("Is Grant suspended from the club?", [(SHORT, "a"), ("Fans say Grant, who remains suspended from the tennis club, is sad.", "b")]),
    ("Is Grant suspended from the club?", [(SHORT, "a"), ("Grant, who remains suspended from the tennis club of the town, spoke.", "b")]),
    # all they share is a name of four words, one going on where the other stops at a dash
    ("What does Friends of the Earth say?", [("Friends of the Earth argues that the scheme is unlawful.", "a"),
                                             ("Three groups – Greenpeace and Friends of the Earth – sued.", "b")]),
])
def test_no_detail_disagreement(question, answers):
    assert all(d.kind != "detail" for d in disagreements(question, [_ans(t, doc, 0.8) for t, doc in answers]))


def test_quotes_and_alignment():
    assert quotes("‘We don’t have any money’, he said, calling it ‘bizarre’.") == \
        [["we", "don", "t", "have", "any", "money"], ["bizarre"]]
    assert quotes("“It goes on into the next sentence.") == [["it", "goes", "on", "into", "the", "next", "sentence"]]
    assert quotes("and it ends here,” she said.") == [["and", "it", "ends", "here"]]
    words = "create hundreds of pointless and costly reviews".split()
    assert reworded(words, [w if w != "of" else "more" for w in words])
    assert not reworded(words, words) and not reworded(words, words[:4])
    short = words[:5]                          # 4 words shared: too few to tell one statement
    assert not reworded(short, [w if w != "of" else "more" for w in short])
    # the same stock words in another order are another sentence, not a misquote
    assert not reworded(*(quotes(t)[0] for t in ("“not compatible with the party’s rules or our aims and values”",
                                                 "“not compatible with our values, our rules or our aims”")))


# ------------------------------------------------------------------ the JSON shape
def test_result_carries_disagreements_in_its_json():
    answers = (_ans("As many as 1,000 members could be expelled.", "a"),
               _ans("Hundreds of supporters will be expelled.", "b", 0.7))
    found = disagreements(Q_COUNT, answers)
    d = Result(Q_COUNT, False, None, answers, disagreements=found).to_dict()
    assert d["disagreements"] == [{"kind": "figures", "message": FIGURES, "answers": [[0], [1]]}]
    assert Result(Q_COUNT, True, "none", (), {"best_score": 0.1}).to_dict()["disagreements"] == []
    json.dumps(d)


# ------------------------------------------------------------------ end to end, real articles
def _sides(result):
    return [[[result.answers[i].text for i in side] for side in d.answers] for d in result.disagreements]


@pytest.mark.slow
def test_real_articles_disagree_on_how_many_members_go(assistant):
    r = assistant.ask("How many people could be expelled from Labour?", k=10)
    found = [d for d in r.disagreements if d.kind == "figures"]
    assert len(found) == 1, _sides(r)
    texts = [[r.answers[i].text for i in side] for side in found[0].answers]
    one, other = sorted(texts, key=lambda side: not any("1,000 members" in t for t in side))
    assert any("1,000 members" in t for t in one) and any(t.startswith("Hundreds of far Left") for t in other)


@pytest.mark.slow
@pytest.mark.parametrize("question,one,other", [
    # one statement quoted in other words
    ("Momentum said the proscriptions would create time-consuming and pointless investigations",
     "hundreds more time", "hundreds of time"),
    # one speaker's verdict, quoted in words that share none
    ("What did John McDonnell say about the expulsions?", "standard Blairite", "‘bizarre’"),
])
def test_real_articles_quote_one_speaker_differently(assistant, question, one, other):
    r = assistant.ask(question, k=10)
    assert [d.kind for d in r.disagreements] == ["wording"], _sides(r)
    (a,), (b,) = _sides(r)[0]
    assert sorted([one in a, one in b]) == [False, True]
    assert sorted([other in a, other in b]) == [False, True]


@pytest.mark.slow
@pytest.mark.parametrize("question,kind,one_side", [
    # one outlet says more: "suspended from the party" / "from the party whip"
    ("What is Corbyn suspended from?", "detail", "suspended from the party whip"),
    # one word given to two speakers by one outlet, to one by the other (qa/answer/speakers.py)
    ("Who said the purge was an act of machismo?", "attribution", "Grassroots group Momentum and Unite"),
])
def test_real_articles_tell_one_thing_differently(assistant, question, kind, one_side):
    r = assistant.ask(question, k=3)
    d = next((d for d in r.disagreements if d.kind == kind), None)
    assert d is not None, [a.text for a in r.answers]
    texts = [r.answers[i].text for side in d.answers for i in side]
    assert sorted([one_side in t for t in texts]) == [False, True], texts


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "Who is John McDonnell?",                        # named, but not asked what he said
    "How long did the NEC meeting last?",            # "nine-hour" and "nine hour" agree
    "What was the vote to ban Socialist Appeal?",    # one vote, one figure
    "How many NEC members voted to ban the AWL?",    # the 2021 and 2022 votes are different votes
    "Which union condemned the decision?",           # no quantity asked
    "What did the party spokesperson say?",          # the same statement, quoted alike
])
def test_ordinary_real_questions_report_no_disagreement(assistant, question):
    r = assistant.ask(question, k=10)
    assert r.disagreements == (), _sides(r)


# ------------------------------------------------------------------ harness scoring
def _record(kind, reported, answers=("x",), sides=None):
    rec = {"id": f"{kind}{reported}{len(answers)}", "kind": kind, "answerable": True, "abstained": False,
           "correct": True, "rank": 1, "right": [True] * len(answers), "faithful": [True] * len(answers),
           "latency_ms": 1.0, "message": None,
           "answers": [{"text": t, "citations": [{"doc_id": "d", "start": n, "end": n + 1}]}
                       for n, t in enumerate(answers)],
           "disagreements": [{"kind": "figures", "message": FIGURES, "answers": [[0], [1]]}] if reported else []}
    if sides is not None:
        rec["sides"] = sides
    return rec


def test_recall_needs_a_report_and_both_sides_quoted_and_false_alarms_count_other_kinds():
    sides = [["1,000 members"], ["hundreds of supporters"]]
    both = ("As many as 1,000 members could go.", "Hundreds of supporters will go.")
    records = [_record("disagreement", True, both, sides),
               _record("disagreement", True, both[:1], sides),         # one side never quoted
               _record("disagreement", False, both + ("z",), sides),   # quoted, not reported
               _record("factoid", True), _record("factoid", False), _record("figure", False),
               _record("figure", False, ("y", "w"))]
    ranks = {r["id"]: {name: 1.0 for name in em.RANX_METRICS} for r in records}   # (ranx not needed here)
    m = em.summary(records, ranks)
    assert m["disagreement_recall"] == round(1 / 3, 4)
    assert m["disagreement_false_alarm_rate"] == 0.25
    assert em.summary(records[:3], ranks)["disagreement_false_alarm_rate"] is None
    assert em.summary(records[3:5], ranks)["disagreement_false_alarm_rate"] == 0.5
    assert em.summary(records[3:], ranks)["disagreement_recall"] is None


def test_question_sides_are_checked_and_copied_into_the_record():
    q = {"id": "q1", "question": "How many?", "expected": ["1,000"], "answerable": True,
         "kind": "disagreement", "sides": [["1,000"], ["hundreds"]]}
    assert check_question(q, "line 1")["sides"] == [["1,000"], ["hundreds"]]
    for bad in ([["1,000"]], [["1,000"], [" "]], "1,000 vs hundreds", [["1,000"], [3]]):
        with pytest.raises(EvalError, match="sides"):
            check_question({**q, "sides": bad}, "line 1")
    rec = make_record(check_question(q, "line 1"), Result("How many?", True, "none", ()), 1.0, {})
    assert rec["sides"] == [["1,000"], ["hundreds"]] and rec["disagreements"] == []


def test_a_year_before_a_noun_and_a_count_asked_of_an_unread_noun():
    from qa.answer.retrieve import Query, lacks_asked_value
    from qa.ingest.textnorm import Tokenizer

    # a year written before a noun after "the", a possessive or a count is a year, not a count
    assert [f.unit for f in figures("What did they say the 2022 closures would cost?")] == ["year"]
    assert [f.unit for f in figures("Two of the three 2019 schools reopened.")] == ["year"]
    assert [f.unit for f in figures("The council's 1990 plans were shelved.")] == ["year"]
    assert [(f.unit, f.lo) for f in figures("the 2,000 workers marched")] == [("people", 2000)]
    assert [(f.unit, f.lo) for f in figures("about 2000 workers marched")] == [("people", 1900)]
    # a sum or a share is not a year, whatever comes before it
    assert [(f.unit, f.lo) for f in figures("They cut the £2000 grant.")] == [("money:£", 2000)]
    assert [(f.unit, f.lo) for f in figures("the 2000% rise")] == [("percent", 2000)]
    # a number word is no part of what was done: "the first four schools" asks which schools
    tok = Tokenizer()
    q = "On what day did the council close the first four schools?"
    assert "four" not in Query(q, tok(q), q, tokenize=tok).relation
    # "how many" of a noun it cannot read (a name with "up" in it) still wants a number
    q = "How many of the Acme Up North were expelled?"
    ask = Query(q, tok(q), q, tokenize=tok)
    assert ask.counted is None
    assert lacks_asked_value(ask, "The Acme Up North network welcomes expelled members.")
    assert not lacks_asked_value(ask, "Some 40 of its members were expelled.")
    # the noun after a name of several words is read: members are people
    q = "How many Acme Up North members were expelled?"
    ask = Query(q, tok(q), q, tokenize=tok)
    assert ask.counted is not None and ask.counted("people") and not ask.counted("groups")
    assert lacks_asked_value(ask, "The Acme Up North network, two groups in one, welcomes expelled members.")
    assert not lacks_asked_value(ask, "Some 40 of its members were expelled.")
    # "how big" may be answered in words
    q = "How big was the majority for the plan?"
    assert not lacks_asked_value(Query(q, tok(q), q, tokenize=tok), "The plan passed with a big majority.")


def test_a_count_read_past_quote_marks_and_with_a_bound_after_it():
    # quote marks between a number and its noun do not hide the noun
    assert [(f.unit, f.lo) for f in figures("Each has two “lead authors” and ten ‘contributing authors’.")] == \
        [("author", 2), ("author", 10)]
    assert [(f.unit, f.lo, f.hi) for f in figures("Some 2,000 ‘furloughed’ workers left.")] == \
        [("people", 1900, 2100)]
    # "or more", "or fewer", "or so" after the number bound it, and the noun is still read
    assert [(f.unit, f.lo, f.hi) for f in figures("Parties with five or more seats sit on it.")] == \
        [("seat", 5, float("inf"))]
    assert [(f.unit, f.lo, f.hi) for f in figures("Firms with 50 or fewer staff pay less.")] == [("people", 0, 50)]
    assert [(f.unit, f.lo, f.hi) for f in figures("A crowd of 100 or so protesters gathered.")] == [("people", 95, 105)]
    # a number written with a thousands comma is never a year
    assert figures("Turnout was 2,000.") == [] and [f.unit for f in figures("Turnout fell in 2000.")] == ["year"]


def test_a_range_is_one_value_of_one_unit():
    def read(text):
        return [(f.unit, f.lo, f.hi) for f in figures(text)]

    assert read("Between 500 and 1,000 members could go.") == [("people", 500, 1000)]
    assert read("Ten to fifteen “lead authors” write it.") == [("author", 10, 15)]
    assert read("Some 200-300 protesters gathered.") == [("people", 190, 300)]
    assert read("It took two or three days.") == [("duration", 2 * 1440, 3 * 1440)]
    assert read("Between 5 and 10% of voters moved.") == [("percent", 5, 10)]
    # "and" adds number words only after a scale: "between two and three hours" is no five
    assert read("It lasted between two and three hours.") == [("duration", 120, 180)]
    assert read("Two hundred and fifty people came.") == [("people", 250, 250)]
    # not a range: a change ("from 20 to 30"), a ratio ("2 to 1"), years
    assert read("Staff rose from 20 to 30 people.") == [("people", 30, 30)]
    assert read("It won by a 2 to 1 majority.") == []
    assert [f.unit for f in figures("It grew between 1990 and 1995.")] == ["year", "year"]
    # so "between 500 and 1,000" and "hundreds" can both be true: no disagreement
    assert overlap(figures("between 500 and 1,000 members")[0], figures("hundreds of members")[0])


def test_asked_about_a_time_an_undated_count_does_not_contradict_one_dated_then():
    dated = _ans("The board closed four libraries.", "a", 0.8, "2021-07-20")
    undated = _ans("The board is to close three libraries.", "b", 0.78, None)
    q = "How many libraries did the board close in 2021?"
    assert disagreements(q, [dated, undated]) == ()
    # without a time asked, or with both sides dated then, the counts are compared
    assert [d.kind for d in disagreements("How many libraries did the board close?", [dated, undated])] == ["figures"]
    other = _ans("The board closed three libraries.", "b", 0.78, "2021-07-22")
    assert [d.kind for d in disagreements(q, [dated, other])] == ["figures"]
    # a quote is one statement whenever it ran: wording is still compared
    a = _ans('The union said the plan would “cost hundreds of jobs in the north and the midlands”.', "a", 0.8, "2021-07-20")
    b = _ans('A statement warned the plan would “cost hundreds more jobs in the north and the midlands”.', "b", 0.78, None)
    assert [d.kind for d in disagreements("What did the union say about the plan in 2021?", [a, b])] == ["wording"]


def test_in_period_reads_an_articles_date_with_a_weeks_grace():
    from qa.answer.when import in_period

    assert in_period("2021-07-20", (2021, 7)) and in_period("2021-08-02", (2021, 7))   # a July story
    assert in_period("2021-07-20", (2021, None)) and not in_period("2022-03-29", (2021, None))
    assert not in_period(None, (2021, 7))
