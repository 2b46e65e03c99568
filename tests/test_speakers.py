"""Who said it (qa/answer/speakers.py): the speaker of a sentence, from the sentence or from
the quote around it, and the attribution disagreement it gives when two outlets name
different speakers for the words a question asks about. Made-up answers (the real seed
articles: tests/test_disagree.py)."""
from __future__ import annotations

import pytest

from qa.answer.disagree import ATTRIBUTION, Disagreement, disagreements
from qa.answer.speakers import asked_speaker, asks_speaker, gives_words, names, other_speakers, speaker, speakers_of
from qa.types import Answer, Citation

DAY = "2023-05-02"


def _ans(text: str, doc: str, score: float = 0.8, before: str | None = None, after: str | None = None) -> Answer:
    cites = (Citation(doc, f"Title {doc}", None, DAY, None, f"{doc}:p0", 0, len(text)),)
    return Answer(text, score, {"before": before, "after": after}, cites)


@pytest.mark.parametrize("text,who", [
    ("The council said on Monday that the plan was reckless.", "The council"),
    ("But residents and the tenants' union had both warned that it was “reckless”.", "residents and the tenants' union"),
    ("“It is reckless,” said Jane Smith.", "Jane Smith"),
    ("“It is reckless and we will fight it,” the union added.", "the union"),
    ("Council leader Ann Lee described the plan as “reckless”.", "Council leader Ann Lee"),
    ("The council’s housing chief said it was reckless.", "The council’s housing chief"),
    ("The tenants’ chair said.", "The tenants’ chair"),
    ("The plan was reckless.", None),
    ("“The plan is reckless and it will fail.", None),                 # the quote goes on
])
def test_speaker_of_a_sentence(text, who):
    assert speaker(text) == who


def test_a_quote_standing_alone_takes_its_speaker_from_around_it():
    alone = "“Acts of vandalism like this plan neither help tenants nor save money."
    before = "The tenants' union said in a statement that it would “fight the plan”."
    after = "“They simply drive families out,” the union added."
    assert speakers_of(alone, before, after) == ["the union", "The tenants' union"]
    assert speakers_of(alone, "The weather was fine.", "Nothing else happened.") == []
    # a sentence with a speaker of its own keeps it, whatever is around it
    assert speakers_of("Ann Lee said it was “vandalism”.", before, after) == ["Ann Lee"]
    # a sentence that quotes no one has no speaker, whoever speaks around it
    assert speakers_of("The vote is on Monday.", before, after) == []
    # nor does one opening with a quoted name: "'Shelter Now' was also banned"
    assert speakers_of("‘Shelter Now’ has also been described as a “front” group.", before, after) == []


def test_speakers_are_compared_by_their_names():
    both = ["Campaign group Shelter Now and Unison the union"]
    assert names(both) == {"shelter", "now", "unison"}
    assert other_speakers(both, ["the union", "Unison"])                 # Shelter Now is only on one side
    assert not other_speakers(["Unison the union"], ["the union", "Unison"])
    assert not other_speakers(["the trade union"], ["the union"])        # no name to tell them apart
    assert not other_speakers(both, [])                                  # one side names no one
    # A name after an abbreviation's full stop is still a name: "Dr. Roe" and "Dr. Doe" differ.
    assert names(["Union adviser Dr. Jane Roe"]) == {"dr", "jane", "roe"}
    assert other_speakers(["Union adviser Dr. Jane Roe"], ["Dr. Jane Doe"])


@pytest.mark.parametrize("question,asks", [
    ("Who called the plan an act of vandalism?", True),
    ("Which groups described the plan as vandalism?", True),
    ("Who accused the council of vandalism?", True),
    ("Who runs the council?", False),
    ("What did the union call the plan?", False),
    ("Who called for a vote?", False),
])
def test_asks_speaker(question, asks):
    assert asks_speaker(question) is asks


BOTH = "Campaign group Shelter Now and Unison the union had both warned that the plan was an act of “vandalism”."
ALONE = "“Acts of vandalism like this plan neither help tenants nor save money."
BEFORE = "Unison said in a statement that it would “fight the plan”."
AFTER = "“They simply drive families out of the town,” the union added."


def test_two_outlets_giving_the_asked_words_to_different_speakers_disagree():
    answers = [_ans(BOTH, "a"), _ans(ALONE, "b", 0.5, BEFORE, AFTER)]
    assert disagreements("Who called the plan an act of vandalism?", answers) == \
        (Disagreement("attribution", ATTRIBUTION, ((0,), (1,))),)


@pytest.mark.parametrize("question,answers", [
    # the same speakers in both outlets
    ("Who called the plan an act of vandalism?",
     [_ans(BOTH, "a"), _ans("Shelter Now and Unison said the plan was “vandalism”.", "b", 0.5)]),
    # one article holds both
    ("Who called the plan an act of vandalism?", [_ans(BOTH, "a"), _ans(ALONE, "a", 0.5, BEFORE, AFTER)]),
    # the asked word is not quoted by one side
    ("Who called the plan an act of vandalism?",
     [_ans(BOTH, "a"), _ans("Unison said the plan, an act of vandalism, would fail.", "b", 0.5)]),
    # the question does not ask who said it
    ("What is the plan?", [_ans(BOTH, "a"), _ans(ALONE, "b", 0.5, BEFORE, AFTER)]),
    # the quote standing alone has no speaker around it
    ("Who called the plan an act of vandalism?", [_ans(BOTH, "a"), _ans(ALONE, "b", 0.5, "It rained.", None)]),
])
def test_no_attribution_disagreement(question, answers):
    assert all(d.kind != "attribution" for d in disagreements(question, answers))



@pytest.mark.parametrize("question,asked", [
    ("What did Jane Smith say about the plan?", ("Smith", {"jane", "smith"})),
    ("What did Councillor Ann Lee herself say?", ("Lee", {"councillor", "ann", "lee"})),
    ("What has Mr Lee written about it?", ("Lee", {"lee"})),               # a title is no name word
    ("What did the Tenants Union tweet?", ("Union", {"tenants", "union"})),
    ("What did the council's spokesperson say?", None),      # no name: every outlet words it its own way
    ("What did he say?", None),                               # a pronoun: the conversation says who
    ("What did the TWU say?", None),                          # initials: the articles may spell them out
    ("What did Jane Smith do next?", None),                   # not what she said
    ("Who is Jane Smith?", None),
])
def test_asked_speaker(question, asked):
    got = asked_speaker(question)
    assert (got if got is None else (got[0], set(got[1]))) == asked


@pytest.mark.parametrize("text,before,gives", [
    ("Jane Smith said the plan was reckless.", None, True),
    ("Smith, a councillor since 2010, said: “It is reckless.”", None, True),
    ("According to Smith, the plan will fail.", None, True),
    ("“It is reckless,” Smith added.", None, True),
    ("She said it would fail.", "Jane Smith spoke first.", True),           # the sentence before says who
    ("John Smith said the plan was reckless.", None, False),              # another Smith
    ("The group set up under Smith condemned the plan.", None, False),     # the group speaks
    ("Supporters of Jane Smith said the plan was reckless.", None, False),  # her name given in full
    ("A group formed under Mrs Jane Smith said no.", None, False),
    ("A rally included a speech by Jane Smith.", None, False),            # it does not give her words
    ("The union called the plan “a betrayal of Jane Smith”.", None, False),   # named inside the quote
    ("She said it would fail.", "The mayor spoke first.", False),
])
def test_gives_words_of_the_asked_speaker(text, before, gives):
    assert gives_words(asked_speaker("What did Jane Smith say?"), text, before) is gives


def test_the_asked_speaker_is_found_as_the_question_was_read():
    # Typed in lower case, a name is read with one capital ("Mcdonald"); typed with a typo,
    # the first name is still that person's.
    assert gives_words(asked_speaker("what did Jane Mcdonald say"), "Jane McDonald said no.")
    assert gives_words(asked_speaker("What did Jnae Smith say?"), "Jane Smith said no.")
    assert not gives_words(asked_speaker("What did Jnae Smith say?"), "John Smith said no.")


def test_a_question_about_words_the_articles_never_quote_is_not_answered(build_index, tmp_path):
    from tests.conftest import write_corpus
    from qa.answer.engine import Assistant

    folder = write_corpus(tmp_path / "corpus", {
        "a.txt": "Depot closure approved\n\nThe council voted on Monday to close the bus depot, a plan "
                 "first drawn up under former mayor Ann Lee.\n\n"
                 "Council leader Tom Reed said the depot had lost money for a decade.\n\n"
                 "Drivers held a rally outside the town hall, which included a speech by Ann Lee.\n",
        "b.txt": "Drivers protest\n\nThe drivers' union said the closure would cost 200 jobs.\n\n"
                 "“We will fight this all the way,” union organiser Jo Park said.\n"})
    a = Assistant(build_index([folder]))
    said = a.ask("What did Tom Reed say about the depot?")
    assert not said.abstained and said.answers[0].text.startswith("Council leader Tom Reed said")
    assert a.ask("What did Jo Park say about the closure?").answers[0].text.startswith("“We will fight")
    # The articles name her, but never give her words: nothing answers.
    assert a.ask("What did Ann Lee say about the depot?").abstained
    assert a.ask("What did Ann Lee say in her speech?").abstained


def test_another_names_initials_do_not_stop_the_speaker_check(build_index, tmp_path):
    # Initials in the question spare the check only when they may be the speaker's own name.
    from tests.conftest import write_corpus
    from qa.answer.abstention import quotes_nobody_asked
    from qa.answer.engine import Assistant

    folder = write_corpus(tmp_path / "corpus", {
        "a.txt": "Depot closure approved\n\nThe council voted on Monday to close the bus depot, a plan "
                 "first drawn up under former mayor Ann Lee.\n\n"
                 "The Transport Workers Union (TWU) said the closure would cost 200 jobs.\n\n"
                 "Former mayor Ann Lee met TWU organisers about the depot on Friday.\n"})
    a = Assistant(build_index([folder]))

    def nobody(q: str) -> bool:
        return quotes_nobody_asked(a, a.query(q, []), a.rank(q))

    assert a.query("What did Ann Lee say about the TWU?", []).alias      # the initials are read
    assert nobody("What did Ann Lee say about the TWU?")                 # she is quoted nowhere
    assert not nobody("What did the Transport Workers Union say?")       # it is
    assert not nobody("What did the Transport Workers Union tweet?")     # its name has initials
