"""Cleaning, splitting and tokenizing: offsets always verbatim, variants folded."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qa.index.bm25 import BM25Index
from qa.ingest.clean import article_spans, body_spans, is_donation_appeal
from qa.ingest.split import passages, sentences
from qa.ingest.textnorm import Tokenizer, fold

ARTICLE = """Council votes to close the library

By Jane Doe, Local Democracy Reporter
Tuesday 3 March 2020 10:15 GMT

Share this article

Image copyright Town Press Agency
Photo: A. Smith via Getty Images

The council voted on Monday to close the central library. Mr. Brown said the decision was “a sad day”.

It will shut in June.

If you value our independent journalism, please support us with a monthly donation from £1.

Source: Read Full Article
Comments are closed.

More from The Town Herald
Road closures planned for summer
New mayor sworn in
"""


def test_cleaner_drops_boilerplate_and_keeps_offsets():
    spans, title = body_spans(ARTICLE, skip_first=True)
    assert ARTICLE[title[0]:title[1]] == "Council votes to close the library"
    kept = [ARTICLE[s:e] for s, e in spans]
    assert kept == ["The council voted on Monday to close the central library. Mr. Brown said the decision was “a sad day”.",
                    "It will shut in June."]


@pytest.mark.parametrize("line", [
    "Image copyright PA Media", "Image caption Protesters outside the building",
    "Jonathan Brady - PA Images via Getty Images", "Source: Read Full Article", "Comments are closed.",
    "Share this article", "Facebook Twitter Email",
    # as scraped from real pages: labels glued to the credit, captions ending in their credit
    "image copyrightGetty Images", "image captionSir Keir Starmer has pledged to act",
    "Image source, PA Media", "Media caption, The leader: we will act",
    "The leader at the conference. Photograph: Stefan Rousseau/PA",
    "Members at the rally (Photo credit: Jane Smith/Alamy)",
    "This article is more than 4 years old", "Follow us on Twitter @townherald",
])
def test_single_boilerplate_lines_are_removed(line):
    text = f"Title\n\nA real sentence about the council stays here.\n{line}\nAnother real sentence stays too.\n"
    spans, _ = body_spans(text, skip_first=True)
    assert [text[s:e] for s, e in spans] == ["A real sentence about the council stays here.",
                                             "Another real sentence stays too."]


SCRAPED = """Party bans four groups
By Jane Reporter
Political correspondent, Town News
Published
20 July 2021
image copyrightGetty Images
image captionThe leader has pledged to act
The party's ruling body has voted to ban four groups.
The editor of the paper said: "We stand by the story."
She showed reporters a photo: members outside the building.
Related Topics
The Party
The Leader
More on this story
Party row: What happened
"""


def test_scraped_page_furniture_is_dropped_and_prose_about_photos_and_editors_kept():
    spans, title = body_spans(SCRAPED, skip_first=True)
    assert SCRAPED[title[0]:title[1]] == "Party bans four groups"
    assert [SCRAPED[s:e] for s, e in spans] == [
        "The party's ruling body has voted to ban four groups.",
        'The editor of the paper said: "We stand by the story."',
        "She showed reporters a photo: members outside the building."]


def test_donation_appeal_needs_several_signals():
    assert is_donation_appeal("Support our independent journalism: donate monthly from £3.")
    assert not is_donation_appeal("The party received a donation from a union last year.")


def test_an_appeal_goes_on_over_the_lines_after_it_and_stops_at_news():
    text = ("Title\n\nThe council met on Monday and agreed the budget.\n"
            "We keep our reporting free. Small monthly donations from readers like you keep us going.\n"
            "If you can afford it, can you join our supporters giving £5 a month?\n"
            "And if you’re not already reading our daily round-up of city news, sign up…\n"
            "The council said readers had written in about the budget.\n")
    assert kept_text(text) == ["The council met on Monday and agreed the budget.",
                               "The council said readers had written in about the budget."]
    # alone, the later lines of an appeal are not enough to drop a line
    assert not is_donation_appeal("If you can afford it, we will see you at the match on Saturday.")


FIXTURES = Path(__file__).parent / "fixtures"


def kept_text(text: str, skip_first: bool = True) -> list[str]:
    spans, _ = article_spans(text, skip_first=skip_first)
    return [text[s:e] for s, e in spans]


def test_made_up_page_keeps_its_sentences_and_bullets_and_drops_its_furniture():
    """Dateline, headline, standfirst, byline, credit, captions alone and glued on, crosshead,
    and an appeal under "More from": all on one made-up page (tests/fixtures)."""
    text = (FIXTURES / "fixture_dateline_first.txt").read_text("utf-8")
    spans, title = article_spans(text, skip_first=True)
    assert text[title[0]:title[1]] == "Council Scraps Late-Night Bus Routes After Budget Vote"
    assert [text[s:e] for s, e in spans] == [
        "The city council voted on Monday to scrap three late-night bus routes to save money.",
        "Councillors backed the cuts by 31 votes to 14",
        "Unions said drivers would lose overtime",
        "The cuts will save about £2m a year, the council's finance chief said.",
        "A council spokesperson said: “We have had to make difficult choices.",
        "“No one wants to see services go.”",
        "“This is a sad day for night workers,” said Priya Shah, who chairs the passengers’ group.",
        "The mayor (pictured) said the routes could return if funding allowed.",
        "The vote came after a six-hour meeting.",
        "Bus use at night has fallen by a third since 2019.",
    ]


BODY = ("Title\n\nThe first real sentence of the story is here.\n"
        "The second real sentence of the story follows it.\n{line}\n"
        "The third real sentence closes the story.\n")


@pytest.mark.parametrize("line", [
    "Protesters gather outside the town hall on Monday",          # a caption on its own line
    "Commuters wait at the central bus station as the vote takes place in the chamber upstairs",
    "‘Difficult choices’", "Why the vote matters", "## What happens next",   # crossheads
    "Alex Morgan", "Rivertown Press via Getty Images", "Sam Lee - Rivertown Press",   # byline, credits
    "Pictured: The mayor at the count in 2019", "(Pictured) The mayor at the count",
])
def test_a_line_that_does_not_end_like_a_sentence_is_furniture(line):
    assert kept_text(BODY.format(line=line)) == ["The first real sentence of the story is here.",
                                                 "The second real sentence of the story follows it.",
                                                 "The third real sentence closes the story."]


@pytest.mark.parametrize("line", [
    "He said: “We will not go back.”", "“We will not go back,” he said.", "“We will not go back.",
    "It was, she said, “a scandal”.", "Was it worth it?", "It was a long night…", "The vote (held in secret.)",
    "The question was put to members:", "The mayor (pictured) said the plan was fair.",
    "Above all, the vote was close.", "The photo showed a crowd at dusk.",
])
def test_lines_that_end_like_sentences_are_kept_whole(line):
    assert line in kept_text(BODY.format(line=line))


@pytest.mark.parametrize("tail", [
    " Pictured: The mayor and her deputy in 2019", " Pictured left: The mayor", " (Pictured) The mayor at the count",
    " (pictured above) The mayor", " Above: An empty bus on one of the routes", " Inset: The old depot",
    " Pictured: The mayor and her deputy in 2019.",
])
def test_a_caption_glued_after_a_sentence_is_cut_off(tail):
    text = BODY.format(line="The cuts will save £2m a year, the council said." + tail)
    assert "The cuts will save £2m a year, the council said." in kept_text(text)


@pytest.mark.parametrize("marker", ["•", "●", "▪", "-", "–", "*"])
def test_bullet_points_are_kept_without_their_marker(marker):
    text = BODY.format(line=f"  {marker} Councillors backed the cuts by 31 votes to 14")
    got = kept_text(text)
    assert "Councillors backed the cuts by 31 votes to 14" in got
    assert not any(marker in g for g in got)


def test_hard_wrapped_or_unpunctuated_articles_keep_every_line():
    """Only an article whose own lines end like sentences marks the others as furniture: in a
    hard-wrapped file most lines end mid-sentence."""
    text = (FIXTURES / "fixture_hard_wrapped.txt").read_text("utf-8")
    lines = [ln for ln in text.splitlines()[1:] if ln.strip()]
    assert kept_text(text) == lines
    unpunctuated = "Title\nThe mayor opened the new bridge on Monday\nHundreds of people watched from the banks\n"
    assert kept_text(unpunctuated) == ["The mayor opened the new bridge on Monday",
                                       "Hundreds of people watched from the banks"]


NEWSY = st.lists(st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\n", "\r\n", " ", ".", "”", "’", "\u00a0", "•", "- ", "* ", "\n  • Point ", " Pictured: ",
                     " (Pictured) ", "Above: ", "\nBy Jane Smith\n", "\nThe council met today.", " The", " said",
                     "\n12/03/2021 10:00 GMT\n", "\nPhoto: AP\n", "\nMore from News\n", " A", "word", "?"])),
    max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NEWSY, st.booleans())
def test_article_spans_are_stripped_slices_of_one_line_each(text, skip_first):
    """Narrowed spans (bullets, glued captions) still index the text exactly: each is a
    stripped, non-empty slice inside one line, in order, none overlapping the title."""
    spans, title = article_spans(text, skip_first=skip_first)
    prev = title[1] if title else 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and not re.search(r"[\r\n]", piece)
        prev = e


def test_sentences_are_verbatim_and_respect_abbreviations():
    text = "Mr. Smith met Dr. J. Bloggs at 3.30 p.m. on Friday. “We agreed,” he said. Was it 5? Yes!"
    got = [text[s:e] for s, e in sentences(text, 0, len(text))]
    assert got == ["Mr. Smith met Dr. J. Bloggs at 3.30 p.m. on Friday.", "“We agreed,” he said.", "Was it 5?", "Yes!"]


def test_sentences_handle_closing_quotes_and_offsets():
    text = "  He said: “It is over.” The end came at 7pm.  "
    spans = sentences(text, 0, len(text))
    assert [text[s:e] for s, e in spans] == ["He said: “It is over.”", "The end came at 7pm."]


def test_passages_group_paragraphs_without_splitting_them():
    text = " ".join(["word"] * 50) + "\n" + " ".join(["word"] * 30) + "\n" + "short one.\n"
    paras = [(0, 249), (250, 399), (400, 410)]
    groups = passages(paras, text, min_words=60, max_words=200)
    assert groups == [[(0, 249), (250, 399)], [(400, 410)]]


def test_fold_and_tokenizer_variants():
    tok = Tokenizer()
    assert tok("anti-Semitism") == tok("antisemitism") == tok("Anti‑semitism") == tok("ANTI–SEMITISM")
    assert fold("“Quoted”  text — here") == '"quoted" text - here'
    assert tok("co-operative") == tok("cooperative")
    assert tok("The groups were banned") == ["group", "ban"]


@pytest.mark.parametrize("british,american", [
    ("organised", "organized"), ("organisation", "organization"), ("Labour", "labor"),
    ("favourite", "favorite"), ("defence", "defense"), ("centre", "center"), ("travelled", "traveled"),
    ("analyse", "analyze"), ("programme", "program"), ("judgement", "judgment"), ("criticised", "criticized"),
    ("honourable", "honorable"), ("neighbourhood", "neighborhood"), ("dialogue", "dialog"),
])
def test_british_and_american_spellings_fold_together(british, american):
    tok = Tokenizer()
    assert tok(british) == tok(american)


@pytest.mark.parametrize("a,b", [("four", "for"), ("hour", "hor"), ("size", "sis"), ("prize", "pris"),
                                 ("called", "caled"), ("basis", "baziz")])
def test_spelling_fold_leaves_other_words_apart(a, b):
    tok = Tokenizer(stopwords=False, stem=False)
    assert tok(a) == [a] and tok(a) != tok(b)


def test_tokenizer_versions_round_trip():
    assert Tokenizer().params()["name"] == "qa-fold-v3"
    assert Tokenizer.from_params(Tokenizer().params()) == Tokenizer()
    old = {"name": "qa-fold-v1", "stem": True, "stopwords": True}   # indexes built before v2
    assert Tokenizer.from_params(old) == Tokenizer(spelling=False, initials=False)
    v2 = {"name": "qa-fold-v2", "stem": True, "stopwords": True}    # before v3
    assert Tokenizer.from_params(v2) == Tokenizer(initials=False)
    assert Tokenizer.from_params(v2)("MPs") == ["mps"]              # as those indexes hold it
    with pytest.raises(ValueError):
        Tokenizer(spelling=False).params()                           # no version reads it back
    # the reason for v2: Snowball alone keeps these apart
    assert Tokenizer(spelling=False)("organised") != Tokenizer(spelling=False)("organized")
    with pytest.raises(ValueError):
        Tokenizer.from_params({"name": "other", "stem": True, "stopwords": True})


@pytest.mark.parametrize("plural,one", [("MPs", "MP"), ("mps", "mp"), ("TVs", "TV"), ("DVDs", "DVD"),
                                        ("MSPs", "MSP")])
def test_plural_initials_are_one_term(plural, one):
    # Snowball strips an s only after a vowel: v2 kept "MPs" and "MP" apart.
    assert Tokenizer()(plural) == Tokenizer()(one)
    assert Tokenizer(initials=False)(plural) != Tokenizer(initials=False)(one)


@pytest.mark.parametrize("word", ["Mrs", "gas", "bus", "its", "ms"])
def test_plural_initials_leave_other_words(word):
    tok = Tokenizer(stopwords=False, stem=False)
    assert tok(word) == [word.casefold()]


def test_bm25_scores_equal_rank_bm25():
    from rank_bm25 import BM25Okapi

    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(200)]
    docs = [list(rng.choice(vocab[: rng.integers(5, 200)], size=rng.integers(0, 25))) for _ in range(300)]
    ref, ours = BM25Okapi(docs), BM25Index.build(docs)
    for _ in range(30):
        q = list(rng.choice(vocab, size=4)) + ["unseen"]
        np.testing.assert_allclose(ours.get_scores(q), ref.get_scores(q), atol=1e-9, rtol=0)


def test_bm25_add_equals_full_build():
    docs = [["a", "b"], ["b", "c", "c"], ["d"], ["a", "d", "e"]]
    full = BM25Index.build(docs)
    inc = BM25Index.build(docs[:2]).add(docs[2:])
    for q in (["a"], ["c", "e"], ["d", "d"]):
        np.testing.assert_allclose(full.get_scores(q), inc.get_scores(q), atol=1e-12)


def test_bm25_save_load_roundtrip(tmp_path):
    idx = BM25Index.build([["x", "y"], ["y", "z"], ["q"]])
    idx.save(tmp_path, "b")
    back = BM25Index.load(tmp_path, "b", idx.params)
    np.testing.assert_array_equal(back.get_scores(["y", "q"]), idx.get_scores(["y", "q"]))


def test_corrector_reads_a_typo_as_the_indexed_term_one_edit_away():
    from qa.answer.spelling import Corrector

    tok = Tokenizer()
    words = {"council": 3, "complaints": 5, "proscribed": 2, "ban": 9, "outstanding": 4, "champion": 2,
             "membership": 1, "labour": 6, "organised": 2}
    c = Corrector(tok, {tok.term(w): i for i, w in enumerate(words)}, np.array(list(words.values())))
    assert c.correct("councel") == tok.term("council")          # substitution
    assert c.correct("complants") == tok.term("complaints")     # deletion
    assert c.correct("proscibed") == tok.term("proscribed")
    assert c.correct("outstandnig") == tok.term("outstanding")  # transposition in the suffix
    assert c.correct("chamion") == tok.term("champion")         # insertion
    assert c.correct("council") is None                         # known already
    assert c.correct("bam") is None                             # too short to guess
    assert c.correct("breakfast") is None                       # nothing near
    assert c.correct("membershp") == tok.term("membership")     # used in one sentence is enough
    assert c("City councel?") == [tok.term("city"), tok.term("council")]
    # a word whose term is spelt otherwise ("labour" -> "labor", "organised" -> "organiz")
    assert c.correct("laobur") == tok.term("labour")
    assert c.correct("orgnaised") == tok.term("organised")


def test_fix_writes_a_typo_as_a_word_the_articles_use_and_leaves_real_words_alone():
    from qa.answer.spelling import Corrector
    from qa.index.lexicon import Lexicon

    tok = Tokenizer()
    texts = ["The council funded the champion.", "Complaints about memberships rose."]
    words = {w: 1 for t in texts for w in tok.content_words(t)}
    c = Corrector(tok, {tok.term(w): i for i, w in enumerate(words)}, np.array(list(words.values())),
                  lambda: Lexicon.read(texts), frozenset({"founded", "council", "champion"}))
    assert c.fix("What did the councel say?") == "What did the council say?"
    assert c.fix("Councel COMPLAINST", lambda: frozenset({"council", "complaints"})) == "Council COMPLAINTS"
    assert c.fix("Councel") == "Councel"                             # a capital: only as a name
    assert c.correct("founded") == tok.term("funded")               # BM25 reads it as "funded",
    assert c.fix("Who founded it?") == "Who founded it?"             # but a dictionary word stays
    assert c.correct("membershp") == tok.term("memberships")
    assert c.fix("membershp") == "membershp"                         # no word of the articles one edit away
    assert c.fix("co-uncel and the") == "co-uncel and the"           # hyphenated words, stopwords
    bare = Corrector(tok, {tok.term(w): i for i, w in enumerate(words)}, np.array(list(words.values())))
    assert bare.fix("What did the councel say?") == "What did the councel say?"   # no dictionary


def test_a_capitalised_typo_is_read_as_a_word_the_articles_capitalise_in_a_name():
    from qa.answer.spelling import Corrector
    from qa.index.lexicon import Lexicon

    tok = Tokenizer()
    texts = ["The Acme Workers Movement met. Its movement grew, and solar panels went up.",
             "The movement and the solar farm were discussed."]
    lex = Lexicon.read(texts)
    words = {w: 1 for t in texts for w in tok.content_words(t)}
    c = Corrector(tok, {tok.term(w): i for i, w in enumerate(words)}, np.array(list(words.values())),
                  lambda: lex, frozenset({"what", "say"}))
    assert "movement" not in lex.names() and "movement" in lex.capitalised()   # lower case too
    assert c.fix("What did the Acme Workers Moveemnt say?", lex.capitalised) == \
        "What did the Acme Workers Movement say?"
    assert c.fix("What did the Acme Workers Moveemnt say?", lex.names) == \
        "What did the Acme Workers Moveemnt say?"                 # names alone: never otherwise written
    assert c.fix("What did Sloar say?", lex.capitalised) == "What did Sloar say?"    # "Solar" never written
    assert c.fix("What did sloar say?", lex.capitalised) == "What did solar say?"    # lower case: any word


def test_a_typo_in_a_name_the_articles_write_is_read_as_that_name(assistant):
    right = assistant.ask("What did the Jewish Labour Movement say?", k=3)
    typo = assistant.ask("What did the Jewish Labour Moveemnt say?", k=3)
    assert typo.read_as == "What did the Jewish Labour Movement say?"
    assert not typo.abstained and [x.text for x in typo.answers] == [x.text for x in right.answers]


@pytest.mark.parametrize("right,typo", [
    ("How did John McDonnell react to the expulsions?", "How did John McDonell react to the expulsions?"),
    ("How many members could be expelled?", "How many membres could be expelled?"),
])
def test_a_typo_changes_neither_the_answers_nor_the_disagreements(assistant, right, typo):
    a, b = assistant.ask(right, k=5), assistant.ask(typo, k=5)
    assert [x.text for x in b.answers] == [x.text for x in a.answers]
    assert b.disagreements == a.disagreements and a.disagreements
    assert b.question == typo                                        # the reader's own words echoed
    assert b.read_as == right and a.read_as is None                  # and how they were read


def test_misspelt_question_finds_what_the_correct_one_does(assistant):
    right = assistant.ask("What was the margin of the narrowest vote?")
    typo = assistant.ask("What was the margn of the narowest vote?")
    assert not right.abstained and not typo.abstained
    assert typo.answers[0].text == right.answers[0].text
