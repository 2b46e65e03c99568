"""A name and the initials the articles use for it are one thing (qa/answer/acronyms.py)."""
import pytest

from qa.answer.acronyms import Acronyms

TEXTS = [
    "The Transport Workers Union said on Monday that it would ballot its members. Ms Jane "
    "McAllister, who leads the TWU, said the vote would close on Friday.",
    "Members of the TWU voted 412 to 88 to strike. The Friends in Need Trust, a charity, "
    "said FINT volunteers would feed the pickets. The Campaign for Safer Streets welcomed it.",
]


def test_initials_are_learnt_from_the_names_the_articles_write():
    names = Acronyms.read(TEXTS).names
    assert names["twu"] == "Transport Workers Union"
    assert names["fint"] == "Friends in Need Trust"           # little words counted too
    assert "css" not in names            # a name the articles never shorten has no initials
    assert "mcallister" not in names     # a capital inside a name is not initials


@pytest.mark.parametrize("question,aliases", [
    ("How did the Transport Workers Union vote?", [("Transport Workers Union", "TWU")]),
    ("Did the TWU strike?", [("TWU", "Transport Workers Union")]),
    ("What did the Transport Workers Union’s members decide?", [("Transport Workers Union", "TWU")]),
    ("What did the TWU's members decide?", [("TWU", "Transport Workers Union")]),
    ("What did Friends in Need Trust do?", [("Friends in Need Trust", "FINT")]),
    ("how did the transport workers union vote", [("transport workers union", "TWU")]),   # any case
    ("what did the Twu decide", [("Twu", "Transport Workers Union")]),     # lower case, as it is read
    ("Who leads the Campaign for Safer Streets?", []),
    ("Did the transport workers vote?", []),
])
def test_a_question_gets_the_other_form_of_each_name_it_writes(question, aliases):
    assert Acronyms.read(TEXTS).aliases(question) == aliases


def test_a_name_is_found_with_either_apostrophe():
    a = Acronyms({"fowl": "Friends of Workers’ Liberty"})
    assert a.aliases("What did the Friends of Workers' Liberty say?") == [("Friends of Workers' Liberty", "FOWL")]
    assert a.aliases("Tell us about it") == []


def test_a_name_finds_the_sentence_that_uses_its_initials(build_index, tmp_path):
    from tests.conftest import write_corpus
    from qa.answer.engine import Assistant

    folder = write_corpus(tmp_path / "corpus", {
        "a.txt": "Union ballot opens\n\nThe Transport Workers Union said on Monday that it would ballot "
                 "its members over pay.\n\n"
                 "Members of the TWU voted 412 to 88 to strike.\n",
        "b.txt": "Ministers respond\n\nThe Transport Minister said the union vote was regrettable and "
                 "that workers should return to talks.\n\nA union for hospital workers voted 300 to 200 "
                 "against a strike in May.\n"})
    a = Assistant(build_index([folder]))
    question = "How did members of the Transport Workers Union vote?"
    assert a.ask(question).answers[0].text.startswith("Members of the TWU voted"), a.ask(question).answers[0].text
    a.aliases = lambda text: []          # without the initials, another union's vote comes first
    assert not a.ask(question).answers[0].text.startswith("Members of the TWU voted")


def test_a_lexicon_of_two_sets_of_articles_is_the_lexicon_of_both():
    from qa.index.lexicon import Lexicon

    one, two = Lexicon.read(TEXTS[:1]), Lexicon.read(TEXTS[1:])
    both = Lexicon.read(TEXTS)
    assert one.merge(two).to_dict() == both.to_dict()
    assert Lexicon.from_dict(both.to_dict()) == both           # as stored in lexicon.json
    assert both.initials()["twu"] == "Transport Workers Union"
    assert one.merge(Lexicon()).to_dict() == one.to_dict()


def test_the_index_stores_the_lexicon_and_an_older_index_still_reads_its_articles(build_index, tmp_path):
    import json

    from tests.conftest import write_corpus
    from qa.answer.engine import Assistant
    from qa.index import store

    folder = write_corpus(tmp_path / "corpus", {"a.txt": "Union ballot\\n\\n" + " ".join(TEXTS) + "\\n"})
    index = build_index([folder])
    built, manifest = store.load(index)
    assert "lexicon.json" in manifest["files"] and built.lexicon.initials()["twu"] == "Transport Workers Union"
    stored = Assistant(index)
    assert stored.lexicon is stored.built.lexicon           # read from the index, not the articles
    # an index written before lexicon.json existed: the articles are read once instead
    gen = store.live_generation(index)
    manifest["files"].pop("lexicon.json")
    (gen / "lexicon.json").unlink()
    (gen / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    older = Assistant(index)
    assert older.built.lexicon is None
    assert older.lexicon.to_dict() == built.lexicon.to_dict() and older.names == stored.names
