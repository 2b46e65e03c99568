"""Citations whose publisher or date is unknown (null) show cleanly in the CLI and the chat:
no "None", no "null", no dangling separator. Three of the five real seed articles have no
known publisher and one has no date (seeds/metadata.json); the widget is checked in a real
browser in tests/test_browser.py."""
from __future__ import annotations

import json
import re

import pytest

from conftest import SEEDS
from qa.serve import render
from qa.cli import _print_text, citation_line

# What must never appear in a shown citation: the words for a missing value, and separators
# left behind by one ("— ,", ", ,", "· ·", a trailing "·" or ",", "()", "<>").
BAD = re.compile(r"\bNone\b|\bnull\b|\bundefined\b|—\s*,|,\s*,|·\s*·|·\s*$|,\s*$|\(\s*\)|<\s*>|,\s*\[|,\s*<")


def _seed_citations() -> list[dict]:
    """One citation per real seed article, as ask() would give it (metadata as published)."""
    meta = json.loads((SEEDS / "metadata.json").read_text(encoding="utf-8"))
    return [{"doc_id": name.rsplit(".", 1)[0], "title": m["title"], "source": m["source"], "date": m["date"],
             "url": m["url"], "passage_id": "p", "start": 0, "end": 5}
            for name, m in sorted(meta.items()) if not name.startswith("_")]


def test_the_seeds_do_have_null_publishers_and_dates():
    cites = _seed_citations()
    assert len(cites) == 5
    assert sum(c["source"] is None for c in cites) >= 1 and sum(c["date"] is None for c in cites) >= 1


@pytest.mark.parametrize("cite", _seed_citations(), ids=lambda c: c["doc_id"])
def test_cli_citation_line_leaves_unknown_fields_out(cite):
    line = citation_line(cite)
    assert not BAD.search(line), line
    body = line.strip()[len("— "):]
    expected = ", ".join(b for b in (cite["title"], cite["source"], cite["date"]) if b)
    assert body == f"{expected} <{cite['url']}> [{cite['doc_id']} 0:5]"


def test_cli_citation_line_with_nothing_known_but_the_file():
    bare = {"doc_id": "a", "title": None, "source": None, "date": None, "url": None, "start": 1, "end": 9}
    assert citation_line(bare) == "     — a [a 1:9]"
    blank = {**bare, "title": "T", "source": "  ", "date": ""}
    assert citation_line(blank) == "     — T [a 1:9]"


@pytest.mark.parametrize("cite", _seed_citations(), ids=lambda c: c["doc_id"])
def test_chat_citation_meta_leaves_unknown_fields_out(cite):
    html = render.citation_html(1, cite)
    text = render.strip_tags(html)
    assert not BAD.search(text), text
    meta = re.search(r'<span class="qa-cite-meta">(.*?)</span></li>', html)
    parts = [p for p in (cite["source"], cite["date"] and render.nice_date(cite["date"])) if p]
    if parts:
        assert meta and render.strip_tags(meta.group(1)) == " · ".join(parts)
    else:
        assert "qa-cite-meta" not in html         # no empty meta span
    assert text.startswith(cite["title"])


@pytest.mark.slow
def test_real_answers_print_cleanly_in_the_cli_and_the_chat(assistant, capsys):
    """Real answers citing the articles with null publishers and dates, end to end."""
    results = [assistant.ask(q).to_dict() for q in
               ("What did Clive Lewis say about the proscriptions?", "How many members could be expelled?")]
    shown = [c for r in results for a in r["answers"] for c in a["citations"]]
    assert any(c["source"] is None for c in shown) and any(c["date"] is None for c in shown)
    for r in results:
        _print_text(r)
        out = capsys.readouterr().out
        # a disagreement's sides are indented two more spaces
        cite_lines = [ln for ln in out.splitlines() if re.match(r"(  )?     — ", ln)]
        assert len(cite_lines) == sum(len(a["citations"]) for a in r["answers"])
        for ln in cite_lines:
            assert not BAD.search(ln), ln
        for ln in re.findall(r'<li class="qa-cite".*?</li>', render.result_html(r)):
            assert not BAD.search(render.strip_tags(ln)), ln


@pytest.mark.parametrize("cite", _seed_citations(), ids=lambda c: c["doc_id"])
def test_a_lead_in_shows_cleanly_beside_unknown_fields(cite):
    """A merged quote's lead-in, the outlet's own words, follows each citation in quotation
    marks, with the known fields only before it."""
    cite = {**cite, "lead_in": "A Labour spokeswoman said:"}
    line = citation_line(cite)
    assert not BAD.search(line), line
    assert line.endswith("] lead-in: “A Labour spokeswoman said:”")
    text = render.strip_tags(render.citation_html(1, cite))
    assert not BAD.search(text), text
    assert text.startswith(cite["title"]) and text.endswith("“A Labour spokeswoman said:”")
