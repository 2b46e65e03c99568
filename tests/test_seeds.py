"""The five real seed articles: byte for byte as shared, their metadata, and what the cleaner
keeps of them (every line of body text, and none of the page furniture)."""
from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest

from conftest import SEEDS
from qa.ingest import corpus
from qa.ingest.clean import ends_like_sentence
from qa.ingest.corpus import is_iso_date

# From the project's shared seed README (../shared/seeds/README.md).
SHA256 = {
    "000_96deb0eba484b6e9.txt": "1efb569062b9aa04cf81d6469c6a9523ccff5c670cd30a69c49fb3d5cb5e1fa2",
    "001_e7a03075c5f8b804.txt": "5e81af1a150f39aefd90949c8dffc8aa5b86614a0712ccba9abc9fc86edb9f6e",
    "002_18f3a3f4d4a607e4.txt": "25f3912eb1ff2aac24b32213af718a9014ab099d3134dd2368c133837ba0208b",
    "003_bab144974dfb4c65.txt": "d2acda3b191b7d7e03aae73c72e26a665e921475a9e411035615144b3eafe46b",
    "004_f7979e5584662fcc.txt": "b41752c5a5e94f5c7256f424886c73c2f4f53a85fb03741315005d56a4e04b2c",
}
HEADLINES = {
    "000": "Left-wing anger over expulsions from Labour Party",
    "001": "Keir Starmer purges '1,000' far-Left Corbynista members from Labour",
    "002": "Keir Starmer Expels Far-Left Corbyn Supporters From Labour",   # line 2: line 1 is the dateline
    "003": "Labour to ban leftwing groups including Alliance for Workers’ Liberty",
    "004": "Labour NEC bans three more groups “not compatible” with party rules or values",
}
# Page furniture, by the start of its line: each of these lines must be dropped whole.
# Every other line below the headline is article text and must be kept.
FURNITURE = {
    "000": ["Protesters outside Labour headquarters", "image copyrightGetty Images", "‘Strong signal’",
            "‘Detached clique’"],
    "001": ["Keir Starmer purges ‘1,000’ far-Left Corbynista members from Labour in crackdown",   # standfirst
            "While the meeting was held, a group of protestors gathered outside Labour’s headquarters",
            "Activists protest outside the party’s headquarters against leader Keir Starmer",
            "Activists wave banners and placards as dozens of supporters", "Source: Read Full Article"],
    "002": ["20/07/2021 18:49 BST | Updated 21/07/2021 08:09 BST",
            "Members of four groups proscribed by party to get letters within days",
            "Jonathan Brady - PA Images via Getty Images"],
    "003": ["Comments are closed."],
    "004": ["Sienna Rodgers", "More from LabourList", "We provide our content free",
            "If you can afford it, can you join our supporters giving £10 a month?",
            "And if you’re not already reading the best daily round-up"],
}
# A caption glued after a paragraph: the paragraph is kept up to its last sentence.
GLUED = ("001", "with the party’s values.", " Pictured: Keir Starmer and Jeremy Corbyn in November 2019")
# A sample of body sentences that must be quotable, among them quote paragraphs that open or
# close with quotation marks and the bullet standfirst of 001 (without its bullet).
SAMPLE = {
    "000": ["The Mirror, which broke the story last week, said as many as 1,000 members could see their "
            "membership revoked.",
            "“The NEC has decided that these organisations are not compatible with Labour’s rules or our aims and "
            "values.”",
            "“It has long been a belief of some on the right of Labour that the way to win favour with the "
            "establishment is to try to smash the left."],
    "001": ["Labour’s ruling committee proscribed four far-left groups during a long meeting",
            "Reports suggest proscription may result in expulsion of 1,000 party members",
            "‘We are reshaping our party’s operation with a view towards being fighting fit for upcoming campaigns "
            "and the next general election.’"],
    "002": ["The narrowest vote was to ban ‘Socialist Appeal’, by a margin of 20 votes to 12.",
            "Corbyn too had expressed strong opposition to the plan."],
    "003": ["Former Labour MP Gloria de Piero is among those to have been associated with the group in the past."],
    "004": ["At the full NEC meeting today, LabourList understands that 20 members voted in favour of banning LLA "
            "and 11 voted against, and the same figures applied to the vote on the AWL, while 19 NEC members voted "
            "to ban SLN and 11 against.",
            "The NEC paper agreed today states that examples of support for the AWL include selling the Solidarity "
            "newspaper, contributing to the paper or AWL website, and participating in AWL events, but excluding "
            "debates with AWL members."],
}
BULLET = re.compile(r"^\s*[•●▪◦‣∙·*–—-]\s+$")


def test_the_seed_files_are_the_shared_articles_byte_for_byte():
    assert sorted(p.name for p in SEEDS.glob("*.txt") if p.name != "examples.txt") == sorted(SHA256)
    for name, digest in SHA256.items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest, name


def test_metadata_gives_title_source_date_and_url_for_each_file():
    meta = json.loads((SEEDS / "metadata.json").read_text("utf-8"))
    articles = {k: v for k, v in meta.items() if not k.startswith("_")}
    assert sorted(articles) == sorted(SHA256)
    for name, m in articles.items():
        assert set(m) == {"title", "source", "date", "url"}, name
        assert m["title"] == HEADLINES[name[:3]]
        assert m["source"] is None or (isinstance(m["source"], str) and m["source"].strip())
        assert m["date"] is None or is_iso_date(m["date"])
        assert m["url"] is None or re.match(r"^https?://\S+$", m["url"])


@pytest.fixture(scope="module")
def seeds():
    return {a.doc_id[:3]: a for a in corpus.load([SEEDS]).articles}


def _line_of(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def test_every_kept_span_ends_like_a_sentence_or_is_a_bullet_point(seeds):
    assert sorted(seeds) == sorted(HEADLINES)
    for key, a in seeds.items():
        for s, e in a.body:
            par = a.text[s:e]
            before = a.text[_line_of(a.text, s)[0]:s]
            assert ends_like_sentence(par) or BULLET.match(before), (key, par)
            assert "•" not in par and par == par.strip()


def test_furniture_lines_are_dropped_and_every_other_line_is_kept(seeds):
    for key, a in seeds.items():
        kept_lines = {_line_of(a.text, s) for s, _ in a.body}
        for m in re.finditer(r"[^\n]+", a.text):
            line = m.group().strip()
            if not line or line == HEADLINES[key]:
                continue
            furniture = any(line.startswith(f) for f in FURNITURE[key])
            assert (m.span() in kept_lines) != furniture, (key, line[:80])
        for f in FURNITURE[key]:
            assert f in a.text, f       # the list names real lines of the file


def test_a_glued_caption_is_cut_off_and_the_paragraph_kept(seeds):
    key, end, caption = GLUED
    a = seeds[key]
    at = a.text.index(end + caption)
    span = next((s, e) for s, e in a.body if s <= at < e)
    assert a.text[span[0]:span[1]].endswith(end) and span[1] == at + len(end)


def test_a_sample_of_body_sentences_is_kept_verbatim(seeds):
    for key, sentences in SAMPLE.items():
        a = seeds[key]
        kept = [a.text[s:e] for s, e in a.body]
        for sentence in sentences:
            assert any(sentence in k for k in kept), (key, sentence[:60])


def test_without_a_sidecar_the_dateline_gives_the_date_and_the_next_line_the_headline(tmp_path, seeds):
    for name in SHA256:
        shutil.copy(SEEDS / name, tmp_path / name)
    bare = {a.doc_id[:3]: a for a in corpus.load([tmp_path]).articles}
    assert (bare["002"].title, bare["002"].date) == (HEADLINES["002"], "2021-07-20")
    for key, a in bare.items():
        assert a.title == HEADLINES[key] and a.source is None
        assert a.date is None or key == "002"       # no other file prints its own date
        assert a.body == seeds[key].body            # cleaning never depends on the sidecar


def test_qa_index_warns_about_each_seed_without_publisher_or_date_and_indexes_all(tmp_path, encoder, capsys):
    from qa.index.indexing import build_index

    for bare in (False, True):
        folder = tmp_path / ("bare" if bare else "with-sidecar")
        folder.mkdir()
        for name in SHA256:
            shutil.copy(SEEDS / name, folder / name)
        if not bare:
            shutil.copy(SEEDS / "metadata.json", folder / "metadata.json")
        summary = build_index([str(folder)], tmp_path / f"idx-{bare}", model=encoder, progress=True)
        warned = [ln for ln in capsys.readouterr().err.splitlines() if "its citations will not show" in ln]
        meta = json.loads((SEEDS / "metadata.json").read_text("utf-8"))
        expect = set(SHA256) if bare else {n for n in SHA256 if not (meta[n]["source"] and meta[n]["date"])}
        assert len(warned) == len(expect)
        assert {ln.split(": warning: ")[1].split(": no ")[0] for ln in warned} == {str(folder / n) for n in expect}
        if bare:      # its dateline gave 002 a date: only its publisher is missing
            assert any(ln.endswith("002_18f3a3f4d4a607e4.txt: no publisher; its citations will not show it "
                                   "(give it in metadata.json beside the file)") for ln in warned)
        assert summary["articles"] == 5
