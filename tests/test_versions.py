"""Other outlets' versions of the first answer (qa/answer/versions.py) and the attribution
rule (qa/answer/disagree.py): unit cases, a made-up pair of articles, the real articles."""
from __future__ import annotations

import pytest

from qa.answer.disagree import ATTRIBUTION, WORDING, disagreements
from qa.answer.tellings import attributed, differs, reattributed
from conftest import write_corpus

OFFICIALS = ("Officials said the bridge was shut because inspectors had found deep cracks in two of "
             "its steel supports during a routine check.")
RESIDENTS = ("Residents said the bridge was shut because inspectors had found cracks in two of its "
             "steel supports during a check last week.")


def test_a_claim_given_to_speakers_with_no_word_in_common_is_reattributed():
    assert reattributed(OFFICIALS, RESIDENTS)
    assert differs(OFFICIALS, RESIDENTS) == "attribution"


@pytest.mark.parametrize("other", [
    # one speaker named two ways: they share a word
    "A council spokeswoman said the bridge was shut because inspectors had found cracks in two of its steel supports.",
    # the same speaker, the same claim
    OFFICIALS,
    # another claim altogether
    "Residents said the council had ignored their complaints about traffic for years and would not listen.",
])
def test_one_speaker_or_another_claim_is_not_reattributed(other):
    first = OFFICIALS.replace("Officials", "Council officials")
    assert not reattributed(first, other)


def test_only_a_sentence_that_opens_with_its_speaker_is_read_as_attributed():
    assert attributed(OFFICIALS)[0] and attributed("But insiders have claimed that the vote was rigged from the start by them.")
    assert attributed("The bridge, officials said, was shut.") is None
    assert attributed("Officials said it was shut.") is None       # too short a claim to compare


def test_differs_reads_quotes_worded_differently():
    a = 'The union said the plan would “cost hundreds of jobs in the north and the midlands”.'
    b = 'A statement warned the plan would “cost hundreds more jobs in the north and the midlands”.'
    assert differs(a, b) == "wording"
    assert differs(a, a) is None


def _two_outlets(tmp_path, name: str, days: tuple[str, str], a: tuple[str, str], b: tuple[str, str]):
    """A corpus of two made-up articles (title, body), of The Courier and The Herald."""
    files = {"a.txt": f"{a[0]}\n\n{a[1]}\n", "b.txt": f"{b[0]}\n\n{b[1]}\n"}
    meta = {"a.txt": {"title": a[0], "source": "The Courier", "date": days[0]},
            "b.txt": {"title": b[0], "source": "The Herald", "date": days[1]}}
    return write_corpus(tmp_path / name, files, meta)


def _assistant(folder, build_index, encoder):
    from qa.answer.engine import Assistant

    a = Assistant(build_index([folder]))
    a.encoder = encoder
    return a


def _bridge_corpus(tmp_path):
    return _two_outlets(tmp_path, "bridge", ("2024-03-04", "2024-03-05"),
                        ("Bridge closed after cracks found", OFFICIALS + "\n\nTraffic was diverted through the town "
                         "centre for the rest of the day, and buses ran on a different route."),
                        ("Town bridge shut for repairs", "The river crossing will stay closed for a month. " + RESIDENTS
                         + "\n\nShops near the bridge expect fewer customers while it is closed."))


@pytest.mark.slow
def test_made_up_articles_that_attribute_one_claim_differently(tmp_path, build_index, encoder):
    a = _assistant(_bridge_corpus(tmp_path), build_index, encoder)
    r = a.ask("Why was the bridge shut?", k=1)
    assert [d.kind for d in r.disagreements] == ["attribution"], r.disagreements
    d = r.disagreements[0]
    assert d.message == ATTRIBUTION
    texts = sorted(r.answers[i].text for side in d.answers for i in side)
    assert texts == sorted([OFFICIALS, RESIDENTS])         # the version was added though k=1
    assert len({r.answers[i].citations[0].source for side in d.answers for i in side}) == 2
    # A question asking a quantity the first answer does not give gets no version look-up:
    # that answer does not answer it, so how others word it is beside the point.
    r = a.ask("How many inspectors said the bridge was shut?", k=1)
    assert r.answers[0].text in (OFFICIALS, RESIDENTS) and r.disagreements == () and len(r.answers) == 1
    # A filter to one outlet leaves the other's version out.
    only = a.ask("Why was the bridge shut?", k=1, filters={"sources": ["the courier"]})
    assert only.disagreements == () and [x.text for x in only.answers] == [OFFICIALS]


def test_versions_are_compared_whatever_their_score():
    from tests.test_disagree import _ans

    answers = [_ans(OFFICIALS, "a", 0.9), _ans("Something else entirely was said about the weather today.", "c", 0.85),
               _ans(RESIDENTS, "b", 0.1)]
    assert disagreements("Why was it shut?", answers) == ()          # too far below the best
    found = disagreements("Why was it shut?", answers, versions=[(0, 2, "attribution")])
    assert [(d.kind, d.message, d.answers) for d in found] == [("attribution", ATTRIBUTION, ((0,), (2,)))]
    same_doc = [_ans(OFFICIALS, "a", 0.9), _ans(RESIDENTS, "a", 0.1)]
    assert disagreements("Why was it shut?", same_doc, versions=[(0, 1, "attribution")]) == ()
    # two versions of one answer that differ the same way are one group
    three = answers + [_ans(RESIDENTS.replace("last week", "on Friday"), "d", 0.1)]
    found = disagreements("Why was it shut?", three, versions=[(0, 2, "attribution"), (0, 3, "attribution")])
    assert [d.answers for d in found] == [((0,), (2, 3))]


@pytest.mark.slow
def test_real_articles_version_of_a_quote_is_found_below_the_cut(assistant):
    r = assistant.ask("What did Momentum say the latest proscriptions would lead to?", k=3)
    kinds = [(d.kind, d.message) for d in r.disagreements]
    assert ("wording", WORDING) in kinds, r.disagreements
    d = next(d for d in r.disagreements if d.kind == "wording")
    texts = [r.answers[i].text for side in d.answers for i in side]
    assert any("hundreds more time-consuming" in t for t in texts) and any("hundreds of time-consuming" in t for t in texts)
    # that version is the first of three quoted sentences: it is shown with the other two
    assert any(t.startswith("“These factional") and t.endswith("than ever.”") for t in texts), texts


@pytest.mark.slow
def test_real_articles_attribute_one_claim_to_two_sources(assistant):
    r = assistant.ask("Who was running some of the banned groups, according to Labour?", k=3)
    d = next((d for d in r.disagreements if d.kind == "attribution"), None)
    assert d is not None, [a.text for a in r.answers]
    texts = sorted(r.answers[i].text.split()[0] for side in d.answers for i in side)
    assert texts == ["Insiders", "Labour"]


def _plant_corpus(tmp_path):
    return _two_outlets(tmp_path, "plant", ("2024-05-06", "2024-05-07"),
                        ("Plant to cut jobs", "As many as 1,000 workers could lose their jobs when the plant closes, "
                         "the union said on Monday.\n\nThe company said it had no comment on the figure."),
                        ("Car plant closure confirmed", "The owners confirmed the closure after a board meeting on "
                         "Monday. Hundreds of workers will be laid off over the coming months. The site opened in 1962."))


@pytest.mark.slow
def test_a_differing_figure_of_another_article_is_added_beside_a_sure_answer(tmp_path, build_index, encoder):
    from dataclasses import replace

    from qa.answer.engine import Assistant

    a = _assistant(_plant_corpus(tmp_path), build_index, encoder)
    sure = Assistant.from_built(a.built, encoder, replace(a.config, confident=0.0))
    r = sure.ask("How many workers could lose their jobs?", k=1)
    figs = [d for d in r.disagreements if d.kind == "figures"]
    assert len(figs) == 1, [x.text for x in r.answers]
    texts = sorted(r.answers[i].text for side in figs[0].answers for i in side)
    assert texts[0].startswith("As many as 1,000 workers") and texts[1].startswith("Hundreds of workers")
    # Not when the figure answer is unsure: then no lookup, and k=1 shows one answer.
    unsure = Assistant.from_built(a.built, encoder, replace(a.config, confident=2.0))
    r = unsure.ask("How many workers could lose their jobs?", k=1)
    assert [d.kind for d in r.disagreements if d.kind == "figures"] == [] and len(r.answers) == 1


def test_a_name_cut_short_in_one_article_only_is_renamed():
    from qa.answer.tellings import asks_name, renamed

    a = "The Riverside Tenants Union, which speaks for renters, was banned."
    b = "The Riverside Tenants Union Federation is intended to speak for renters."
    assert renamed(a, b, "Only the Riverside Tenants Union is named here.", "The Riverside Tenants Union Federation.")
    # an article that uses both forms holds them for one name
    assert not renamed(a, b, "The Riverside Tenants Union Federation, or Riverside Tenants Union.", b)
    # one-word short forms are ordinary, and names that differ otherwise are different names
    assert not renamed("Unite condemned it.", "Unite Union condemned it.", "Unite condemned it.", "Unite Union.")
    assert not renamed("The Green Party said so.", "The Labour Party said so.", "x", "y")
    assert asks_name("What is the tenants' group called?") and asks_name("What is the name of the group?")
    assert asks_name("Which banned group welcomes renters?") and asks_name("Name the tenants' group.")
    assert not asks_name("Why was the group banned?")
    assert not asks_name("Is there a panel that decides which groups are banned?")   # not what it asks


@pytest.mark.slow
def test_real_articles_name_one_group_two_ways(assistant):
    r = assistant.ask("What was the group for expelled and suspended members called?", k=3)
    d = next((d for d in r.disagreements if d.kind == "naming"), None)
    assert d is not None, [a.text for a in r.answers]
    first, others = [r.answers[i].text for i in d.answers[0]], [r.answers[i].text for i in d.answers[1]]
    assert "Labour In Exile’" in first[0] and any("Labour in Exile Network" in t for t in others)
    # "Which group …?" asks for its name too; a question that does not gets no naming label.
    r = assistant.ask("Which banned group welcomes expelled or suspended members?", k=3)
    assert any(d.kind == "naming" for d in r.disagreements), [a.text for a in r.answers]
    r = assistant.ask("What does the group for expelled and suspended members do?", k=3)
    assert all(d.kind != "naming" for d in r.disagreements)


@pytest.mark.slow
def test_a_version_printed_by_two_outlets_cites_both(tmp_path, build_index, encoder):
    folder = _bridge_corpus(tmp_path)
    (folder / "c.txt").write_text("Crossing closed\n\nCommuters face long detours. " + RESIDENTS +
                                  "\n\nThe council will meet on Thursday.\n", "utf-8")
    import json

    meta = json.loads((folder / "metadata.json").read_text("utf-8"))
    meta["c.txt"] = {"title": "Crossing closed", "source": "The Gazette", "date": "2024-03-05"}
    (folder / "metadata.json").write_text(json.dumps(meta), "utf-8")
    a = _assistant(folder, build_index, encoder)
    question = "Why was the bridge shut after deep cracks were found in a routine check?"
    r = a.ask(question, k=1)
    assert r.answers[0].text == OFFICIALS            # so the other side comes from the version look-up
    d = next(d for d in r.disagreements if d.kind == "attribution")
    version = r.answers[d.answers[1][0]]
    assert version.text == RESIDENTS
    assert sorted(c.source for c in version.citations) == ["The Gazette", "The Herald"]
    only = a.ask(question, k=1, filters={"sources": ["the courier", "the herald"]})
    assert [c.source for c in only.answers[only.disagreements[0].answers[1][0]].citations] == ["The Herald"]


def test_the_sentences_of_other_articles_are_those_isin_leaves():
    import numpy as np

    from qa.answer.versions import without_articles

    s_doc = np.array([0, 0, 1, 1, 1, 3, 4, 4], np.int32)
    for docs in ({1}, {0, 4}, {2}, set(), {0, 1, 3, 4}):
        assert without_articles(s_doc, docs).tolist() == (~np.isin(s_doc, list(docs))).tolist()


QUOTED = ("“These cuts will close hundreds of busy and badly needed wards in towns that need them most. This has nothing to do "
          "with balancing the books. Instead, it is yet another example of ministers obsessing over "
          "selling off the health service.”")
REPORTED = ("The nurses’ union criticised the plan today, saying the cuts would “close hundreds more busy "
            "and badly needed wards that often serve the poorest towns”.")


def _wards_corpus(tmp_path):
    return _two_outlets(tmp_path, "wards", ("2024-06-03", "2024-06-04"),
                        ("Nurses condemn ward closures", "The health board voted to close 40 wards on Monday. "
                         "The nurses’ union condemned the decision.\n\n" + QUOTED + "\n\nThe board said "
                         "the closures would save money."),
                        ("Ward cuts approved", REPORTED + "\n\n“This has nothing to do with balancing the "
                         "books,” a union statement read, adding: “Ministers should be funding nurses, not "
                         "picking fights with them.”"))


def test_a_sentence_of_a_longer_quotation_belongs_to_all_of_it(tmp_path, build_index):
    from qa.answer.compose import quotation
    from qa.answer.engine import Assistant

    a = Assistant(build_index([_wards_corpus(tmp_path)]))
    t, text_of = a.built.tables, a.sentence_text
    rows = {text_of(i): i for i in range(len(t.sent_ids))}
    first = rows[next(s for s in rows if s.startswith("“These cuts"))]
    for i in (first, first + 1, first + 2):              # the quote runs over three sentences
        assert quotation(a.built, i, text_of) == (first, first + 2)
    for s in ("The nurses’ union condemned the decision.", REPORTED,     # closed within, or none
              "The board said the closures would save money."):
        assert quotation(a.built, rows[s], text_of) == (rows[s], rows[s])


@pytest.mark.slow
def test_a_version_inside_a_longer_quotation_is_shown_whole(tmp_path, build_index, encoder):
    from qa.evaluation.evaluate import faithful

    a = _assistant(_wards_corpus(tmp_path), build_index, encoder)
    r = a.ask("What did the nurses’ union say the cuts would do?", k=1)
    assert r.answers[0].text == REPORTED, [x.text for x in r.answers]
    d = next(d for d in r.disagreements if d.kind == "wording")
    version = r.answers[d.answers[1][0]]
    assert version.text == QUOTED                    # the whole statement as that outlet printed it
    assert faithful(version, {x.doc_id: x for x in a.built.articles})
    assert version.context["before"] == "The nurses’ union condemned the decision."


@pytest.mark.slow
def test_a_whole_quotation_cites_each_outlet_that_printed_it(tmp_path, build_index, encoder):
    import json

    folder = _wards_corpus(tmp_path)
    # a third outlet prints the same quotation word for word; a fourth its first sentence only
    (folder / "c.txt").write_text("Union fury at ward plan\n\nThe union spoke out on Monday. " + QUOTED +
                                  "\n\nA protest is planned.\n", "utf-8")
    first_only = QUOTED.split(". ")[0] + ".”"
    (folder / "d.txt").write_text("Ward plan row\n\n" + first_only + " The union said so on Monday.\n", "utf-8")
    meta = json.loads((folder / "metadata.json").read_text("utf-8"))
    meta["c.txt"] = {"title": "Union fury at ward plan", "source": "The Gazette", "date": "2024-06-04"}
    meta["d.txt"] = {"title": "Ward plan row", "source": "The Post", "date": "2024-06-04"}
    (folder / "metadata.json").write_text(json.dumps(meta), "utf-8")
    a = _assistant(folder, build_index, encoder)
    r = a.ask("What did the nurses’ union say the cuts would do?", k=1)
    d = next(d for d in r.disagreements if d.kind == "wording")
    whole = [r.answers[i] for i in d.answers[1] if r.answers[i].text == QUOTED]
    assert len(whole) == 1, [r.answers[i].text for i in d.answers[1]]
    assert sorted(c.source for c in whole[0].citations) == ["The Courier", "The Gazette"]
