"""Fusion functions and grouping of copies of one sentence."""
from __future__ import annotations

import numpy as np

from qa.answer.answer_type import matches, question_type
from qa.answer.dedup import group, shared_stretch
from qa.answer.fusion import convex, minmax, rrf
from qa.ingest.textnorm import Tokenizer


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
    # A question asking when, who or why a vote happens asks that, not for its tally.
    assert question_type("What was the vote on the plan?") == "number"
    assert question_type("How close was the vote?") == "number"
    assert question_type("When is the council's vote on the plan?") == "date"
    assert question_type("and when is the vote?") == "date"
    assert question_type("Why did the vote fail?") == "reason"
    # naming a vote asks no number; asking what it was, or how close, does
    for q in ("What did the spokesperson say after the vote?", "What sort of majorities did the council votes have?",
              "How do members vote when the house divides?", "What historical figure was the town named after?"):
        assert question_type(q) is None, q
    for q in ("whats the vote count on the plan", "What's the tally?", "What were the results of the vote?",
              "What figure did the paper give for the crowd?", "Give me the vote tally.", "How did the members vote?"):
        assert question_type(q) == "number", q
    assert question_type("How close do you want to be?") is None        # no vote: not a margin
    # "Which/What <up to two words> <a noun for something that bears a name>" wants a name;
    # a time noun wants a date, before a tally's words are read.
    for q in ("Which four groups were banned?", "Which Labour MP objected?", "Which of the banned groups "
              "is Marxist?", "What newspaper do its supporters sell?", "Which outlets reported the vote?",
              "Which trade union condemned it?", "In what city's hotel did they stay?", "Which group's ban was debated?",
              "Which of her brothers spoke?", "Which Doe relative joined the march?"):       # kin bear names
        assert question_type(q) == "entity", q
    assert question_type("Which day was the vote?") == "date"
    assert question_type("In which decade was it banned?") == "date"
    # ... but not through a verb or a measure, nor for a kind of thing.
    assert question_type("What did members say?") is None
    assert question_type("What share of members voted?") == "number"
    assert question_type("What kind of letters will members get?") is None
    # A time told by another event answers "when" ("two days after the vote", "within days").
    for said in ("It quit two days after the vote.", "Members will be expelled within days.",
                 "He resigned soon after the vote.", "It was expelled in the 1980s.", "Big in the 80s."):
        assert matches("date", said, "When did it happen?"), said
    # a bare "after" is in too many sentences to count as a time
    assert not matches("date", "He resigned after the vote.", "When did he resign?")
    # "Where …?" wants a place: a name after a preposition of place, or a kind of place (or
    # of outlet, for where something was said or written).
    assert question_type("Where did the protesters gather?") == "place"
    for said in ("They gathered outside Labour’s HQ.", "They met at the town hall.", "She wrote it for the Acme website."):
        assert matches("place", said, "Where did they meet?"), said
    assert not matches("place", "They met in private.", "Where did they meet?")
    assert not matches("place", "They met in Leeds.", "Where in Leeds did they meet?")   # the question's own name
    # "How old / far / big …?" wants a number; "How often …?" is left alone ("monthly").
    assert question_type("How old was she?") == question_type("How far is it?") == "number"
    assert question_type("How often do they meet?") is None
    assert matches("number", "About 200 people came.", "How many people came?")
    assert not matches("number", "People came.", "How many people came?")
    # News answers "who" with people and organisations alike: any name will do, but one
    # the question already gave is no answer.
    assert matches("person", "Party leader Mary Smith spoke.", "Who leads the party?")
    assert matches("person", "The newspaper said the Transport Workers Union objected.", "Who objected?")
    assert not matches("person", "the members objected.", "Who objected?")
    assert not matches("person", "Members said Mary Smith objected.", "Did Mary Smith object?")


def test_the_questions_own_words_are_no_answer_in_any_case_but_only_whole():
    # The question's words are taken out of a sentence before its answer type is looked
    # for: in any case, but only as whole words.
    q = "Did Mary Smith's union object?"
    assert not matches("person", "Members said MARY SMITH'S union objected.", q)
    assert not matches("person", "members said mary smith's union objected.", "Who objected? Mary Smith's?")
    assert matches("person", "Members said Mary Smithson objected.", q)     # another name
    assert matches("number", "Members said 40 objected.", q)
    assert not matches("number", "40 members objected.", "Did 40 members object?")


def test_a_name_that_opens_the_sentence_is_known_by_the_articles_names():
    # A sentence's first word is capitalised anyway: "Unison said …" names someone only if
    # the articles write that word as a name; "The union said …" names no one.
    names = frozenset({"unison", "acme"})
    q = "Which union objected?"
    assert matches("entity", "Unison said in a statement that it objected.", q, names)
    assert matches("person", "“Unison’s members objected,” it said.", "Who objected?", names)
    assert not matches("entity", "Unison said in a statement that it objected.", q)      # names unknown
    assert not matches("entity", "The union said in a statement that it objected.", q, names)
    assert not matches("entity", "Unison said it objected.", "Did Unison object?", names)  # the question's own



def test_how_much_money_is_answered_by_a_sentence_about_money_held():
    # "the club has no money left" answers "How much money is left?" without a figure.
    q = "How much money does the club have left?"
    assert question_type(q) == "money"
    assert matches("money", "The treasurer said the club had no money left.", q)
    assert matches("money", "Its cash reserves would last six weeks.", q)
    assert matches("money", "It had £2m in the bank.", q)
    assert not matches("money", "The board met on Tuesday.", q)


def test_a_question_asking_whether_wants_no_value():
    # "Did … by a big margin?" is answered by "… with a big majority": no tally is asked for.
    for q in ("Did the council approve the plan by a big margin?", "Was the vote close?",
              "and is the count finished?", "Were the talks held in May or in June?"):
        assert question_type(q) is None, q
    assert question_type("What was the margin of the vote?") == "number"


def test_what_reason_asks_for_a_reason():
    for q in ("What reason did the club give for the ban?", "What was the reason for the ban?",
              "What were their reasons?", "What explanation did the club offer?",
              "On what grounds was he fired?", "For what reason was it delayed?"):
        assert question_type(q) == "reason", q
    assert question_type("What did the club say?") is None


def test_how_long_wants_a_length_of_time_not_a_clock_time():
    q = "How long did the meeting last?"
    assert question_type(q) == "duration"
    assert matches("duration", "It ran for nearly nine hours.", q)
    assert matches("duration", "It followed an eight-hour meeting.", q)
    assert not matches("duration", "It began at 10am and ended before 7pm.", q)
    # a point in time or a frequency is not a length of time
    assert not matches("duration", "The groups were banned in July last year.", q)
    assert not matches("duration", "The committee meets every month.", q)
    assert matches("duration", "The talks went on for hours last week.", q)


def _groups(texts, dates=None, limit=5):
    tok = Tokenizer()
    return group(texts, [frozenset(tok.words(t)) for t in texts], limit, dates)


def test_grouping_does_not_depend_on_which_copy_scored_first():
    short = "The Courier, which broke the story last week, said as many as 900 staff could lose their jobs."
    long = ("The Courier, which broke the story last week, said as many as 900 staff could lose their jobs "
            "as a result of the cuts.")
    for texts in ([short, long], [long, short]):
        groups = _groups(texts)
        assert len(groups) == 1 and groups[0].members == [0, 1]
        assert groups[0].text.endswith("could lose their jobs")
        assert all(groups[0].text in t for t in texts)


def test_a_lost_tail_that_turns_the_sentence_keeps_copies_apart():
    a = "The council said as many as 900 staff could lose their jobs this year."
    b = "The council said as many as 900 staff could lose their jobs this year, but the union denied it."
    assert len(_groups([a, b])) == 2
    assert len(_groups([b, a])) == 2


def test_statements_on_different_occasions_stay_apart():
    a = "A spokesperson said: “The board has decided that these groups are not compatible with our rules.”"
    b = "A spokesperson said: “The board has decided that these groups are not compatible with our rules.”"
    assert len(_groups([a, b], ["2021-07-20", "2022-03-29"])) == 2
    assert len(_groups([a, b], ["2021-07-20", "2021-07-21"])) == 1
    assert len(_groups([a, b], ["2021-07-20", None])) == 1     # an undated copy may be either


def test_merged_quote_keeps_each_copy_speaker():
    texts = ["In a statement, a party spokesperson said: “The party is broad, welcoming and democratic, and it stays that way.",
             "A party spokeswoman said: ‘The party is broad, welcoming and democratic, and it stays that way.",
             "“The party is broad, welcoming and democratic, and it stays that way."]
    g = _groups(texts)[0]
    assert g.members == [0, 1, 2]
    # two lead-ins that end alike ("... said: “") must not keep the copies apart
    both = [texts[0], texts[1].replace("‘", "“")]
    assert len(_groups(both)) == 1 and _groups(both)[0].lead_in(1) == "A party spokeswoman said:"
    assert g.text.startswith("The party is broad")
    assert g.lead_in(0) == "In a statement, a party spokesperson said:"
    assert g.lead_in(1) == "A party spokeswoman said:"
    assert g.lead_in(2) is None
