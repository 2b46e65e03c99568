"""Disagreements and merged quotes' lead-ins as the chat (qa.serve.render) and the CLI (`qa ask`)
show them: hand-built results first (no model: they do not depend on ranking), then real
answers on the seed articles. The widget is checked in a browser (tests/test_browser.py)."""
from __future__ import annotations

import re

import pytest

from qa.serve import render
from qa.cli import _print_text, citation_line, main

FIGURES = "The articles give different figures."
WORDING = "The outlets quote these words differently."
EVIL = '<script>window.pwned=1</script><img src=x onerror="x()">'


def _cite(doc, lead=None, **kw):
    return {"doc_id": doc, "title": f"Title {doc}", "source": f"Paper {doc}", "date": "2021-07-20",
            "url": f"https://news.example/{doc}", "passage_id": "p", "start": 0, "end": 5, "lead_in": lead, **kw}


def _result(n_answers, disagreements, cites_per_answer=1):
    answers = [{"text": f"Quote {i}.", "score": 0.9 - i / 100, "context": {},
                "citations": [_cite(f"a{i}c{j}") for j in range(cites_per_answer)]} for i in range(n_answers)]
    return {"question": "q", "abstained": False, "message": None, "answers": answers,
            "disagreements": disagreements}


def _quotes(markup: str) -> list[str]:
    return re.findall(r'<blockquote class="qa-quote">(.*?)</blockquote>', markup)


def _numbers(markup: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="qa-cite" value="(\d+)"', markup)]


# ------------------------------------------------------------------ layout (shared rule)
def test_layout_puts_a_disagreement_where_its_first_answer_ranks():
    res = _result(5, [{"kind": "figures", "message": FIGURES, "answers": [[1], [3]]}])
    items = render.layout(res)
    assert [i[0] for i in items] == ["answer", "group", "answer", "answer"]
    assert [items[0][1], items[2][1], items[3][1]] == [0, 2, 4] and items[1][2] == [[1], [3]]
    assert render.layout(_result(3, [])) == [("answer", 0), ("answer", 1), ("answer", 2)]


@pytest.mark.parametrize("bad", [
    [[0]], [[0], []], [[0], [9]], [[0], [-1]], [[True], [1]], [[0], ["1"]], "01", None, [[0], [0]],
])
def test_layout_shows_a_malformed_disagreement_as_its_message_alone(bad):
    res = _result(2, [{"kind": "figures", "message": FIGURES, "answers": bad}])
    assert render.layout(res) == [("notice", res["disagreements"][0]), ("answer", 0), ("answer", 1)]


def test_layout_shows_an_answer_in_two_disagreements_in_both():
    res = _result(3, [{"kind": "figures", "message": FIGURES, "answers": [[0], [1]]},
                      {"kind": "wording", "message": WORDING, "answers": [[2], [0]]}])
    items = render.layout(res)
    assert [i[0] for i in items] == ["group", "group"]
    assert _quotes(render.result_html(res)) == ["Quote 0.", "Quote 1.", "Quote 2.", "Quote 0."]


# ------------------------------------------------------------------ the chat's HTML
def test_chat_groups_the_sides_side_by_side_each_with_its_citations():
    res = _result(4, [{"kind": "figures", "message": FIGURES, "answers": [[1, 2], [3]]}], cites_per_answer=2)
    out = render.result_html(res)
    assert _quotes(out) == ["Quote 0.", "Quote 1.", "Quote 2.", "Quote 3."]
    assert _numbers(out) == list(range(1, 9))                 # numbered in the order shown
    group = re.search(r'<div class="qa-disagree".*</div>', out).group(0)
    assert f'<p class="qa-note qa-disagree-msg">{FIGURES}</p>' in group
    sides = group.split('<div class="qa-side"')[1:]
    assert len(sides) == 2 and "display:flex" in group
    assert "Account 1" in sides[0] and _quotes(sides[0]) == ["Quote 1.", "Quote 2."]
    assert "Account 2" in sides[1] and _quotes(sides[1]) == ["Quote 3."]
    assert "a3c0" in sides[1] and "a3c1" in sides[1] and "a1c0" not in sides[1]   # its own citations
    assert "Quote 0." not in group


def test_chat_marks_a_wording_disagreement_as_one_statement_quoted_differently():
    out = render.result_html(_result(2, [{"kind": "wording", "message": WORDING, "answers": [[0], [1]]}]))
    assert WORDING in out and "Wording 1" in out and "Wording 2" in out and "Account" not in out


@pytest.mark.parametrize("kind,label", [("attribution", "Source"), ("naming", "Name"), ("detail", "Version")])
def test_chat_and_cli_label_the_sides_of_each_kind(kind, label, capsys):
    from qa.answer.disagree import MESSAGES

    result = _result(3, [{"kind": kind, "message": MESSAGES[kind], "answers": [[0], [1, 2]]}])
    out = render.result_html(result)
    assert MESSAGES[kind] in out and f"{label} 1" in out and f"{label} 2" in out
    _print_text(result)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == MESSAGES[kind] and f"  {label} 1:" in lines and f"  {label} 2:" in lines


def test_the_widget_labels_sides_as_the_chat_does():
    from pathlib import Path

    js = (Path(__file__).resolve().parents[1] / "ui" / "widget.js").read_text("utf-8")
    body = re.search(r"var SIDE_LABELS = \{([^}]*)\}", js).group(1)
    labels = dict(re.findall(r'(\w+):\s*"([^"]*)"', body))
    assert labels == {k: v for k, v in render.SIDE_LABELS.items() if k is not None}
    assert re.search(r'SIDE_LABELS\[d\.kind\] \|\| "' + render.SIDE_LABELS[None] + '"', js)


def test_chat_escapes_disagreement_and_lead_in_strings():
    res = _result(2, [{"kind": EVIL, "message": EVIL, "answers": [[0], [1]]}])
    res["answers"][0]["citations"][0]["lead_in"] = EVIL
    out = render.result_html(res)
    assert "<script" not in out and "<img" not in out
    assert out.count(render.esc(EVIL)) == 5           # data-kind, aria-label, message, above the quote, citation


@pytest.mark.parametrize("abstained", [False, True])
def test_chat_and_cli_show_how_the_question_was_read_escaped(abstained, capsys):
    res = _result(1, [])
    res["abstained"], res["message"] = abstained, "None found." if abstained else None
    assert "qa-read-as" not in render.result_html(res)             # read as typed: nothing shown
    res["read_as"] = "Who chairs the panel " + EVIL
    out = render.result_html(res)
    assert f'<p class="qa-read-as">Read as: “{render.esc(res["read_as"])}”</p>' in out and "<script" not in out
    _print_text(res)
    assert capsys.readouterr().out.startswith(f"(Read as: {res['read_as']})\n")


def test_chat_shows_each_outlets_lead_in_quoted():
    res = _result(1, [], cites_per_answer=3)
    cites = res["answers"][0]["citations"]
    cites[0]["lead_in"], cites[1]["lead_in"], cites[2]["lead_in"] = None, " A spokeswoman said: ", "  "
    out = render.result_html(res)
    assert re.search(r'<p class="qa-lead-in"[^>]*>“A spokeswoman said:”</p><blockquote', out)
    items = re.findall(r'<li class="qa-cite".*?</li>', out)
    assert ["qa-cite-lead" in li for li in items] == [False, True, False]
    assert render.strip_tags(items[1]).endswith("“A spokeswoman said:”")
    plain = render.result_html(_result(1, []))
    assert "qa-lead-in" not in plain and "qa-cite-lead" not in plain


# ------------------------------------------------------------------ the CLI's text
def test_cli_prints_the_message_then_each_side_indented(capsys):
    _print_text(_result(4, [{"kind": "figures", "message": FIGURES, "answers": [[1], [3]]}]))
    lines = capsys.readouterr().out.splitlines()
    starts = [ln for ln in lines if re.match(r"\s*\d\. ", ln)]
    assert [ln.split(".")[0].strip() for ln in starts] == ["1", "2", "4", "3"]   # numbers: positions in --json
    at = lines.index(FIGURES)
    assert lines[at + 1] == "  Account 1:" and lines[at + 2].startswith("  2. “Quote 1.”")
    assert lines[at + 3].startswith("       — Title a1c0")
    assert "  Account 2:" in lines and lines[lines.index("  Account 2:") + 1].startswith("  4. “Quote 3.”")


def test_cli_prints_a_malformed_disagreement_once_and_every_answer_once(capsys):
    _print_text(_result(2, [{"kind": "wording", "message": WORDING, "answers": [[0], [5]]}]))
    out = capsys.readouterr().out
    assert out.startswith(WORDING + "\n") and out.count(WORDING) == 1
    assert out.count("“Quote 0.”") == 1 and out.count("“Quote 1.”") == 1 and "Wording 1" not in out


def test_cli_citation_line_ends_with_the_lead_in_quoted():
    line = citation_line(_cite("d", lead="  A Labour spokeswoman said:"))
    assert line.endswith("[d 0:5] lead-in: “A Labour spokeswoman said:”")
    assert citation_line(_cite("d", lead="")).endswith("[d 0:5]")
    assert citation_line(_cite("d")).endswith("[d 0:5]")


# ------------------------------------------------------------------ real answers (seed index)
FIGURES_Q = "How many people could be expelled from Labour?"
WORDING_Q = "Momentum said the proscriptions would create time-consuming and pointless investigations"
LEAD_Q = "What did the Labour spokesperson say about the party being broad and welcoming?"


def _sides(result, kind):
    found = [d for d in result["disagreements"] if d["kind"] == kind]
    assert found, f"no {kind} disagreement: {result['disagreements']}"
    return found[0]["answers"]


@pytest.mark.slow
def test_cli_prints_a_real_figures_disagreement(assistant, seed_index, capsys):
    """`qa ask -k 5` end to end: the two figures, each under its side, with its citations."""
    expected = assistant.ask(FIGURES_Q, k=5).to_dict()
    sides = _sides(expected, "figures")
    assert main(["ask", FIGURES_Q, "--index", str(seed_index), "-k", "5"]) == 0
    out = capsys.readouterr().out
    assert FIGURES in out
    block = out[out.index(FIGURES):]
    for n, side in enumerate(sides, 1):
        part = block[block.index(f"  Account {n}:"):]
        for i in side:
            answer = expected["answers"][i]
            assert f"  {i + 1}. “{answer['text']}”" in part
            for c in answer["citations"]:
                assert "  " + citation_line(c) in part


@pytest.mark.slow
def test_real_wording_disagreement_and_merged_lead_ins_in_cli_and_chat(assistant, capsys):
    wording = assistant.ask(WORDING_Q).to_dict()
    sides = _sides(wording, "wording")
    _print_text(wording)
    out = capsys.readouterr().out
    assert WORDING in out and "  Wording 2:" in out
    html = render.result_html(wording)
    group = html[html.index('<div class="qa-disagree"'):]
    for side in sides:
        for i in side:
            assert render.esc(wording["answers"][i]["text"]) in group
    merged = assistant.ask(LEAD_Q).to_dict()
    first = merged["answers"][0]
    leads = [c["lead_in"] for c in first["citations"] if c["lead_in"]]
    assert len(first["citations"]) > 1 and len(leads) > 1       # one sentence, several outlets' lead-ins
    _print_text(merged)
    out = capsys.readouterr().out
    for lead in leads:
        assert f"lead-in: “{lead}”" in out
    html = render.result_html(merged)
    assert f"“{render.esc(leads[0])}”</p><blockquote" in html
    for lead in leads:
        assert f"“{render.esc(lead)}”</span>" in html
