"""Answers from ranked candidates: one per group of copies, each citing every article
that printed it, with the sentences around it as context; and the other outlets'
versions of the top answers (qa.answer.versions) added when they tell it differently."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np

from qa.answer.dedup import Group, same_occasion
from qa.answer.disagree import SHOWN, asked_figures, conflicting, wanted
from qa.answer.modality import asks_settled
from qa.answer.tellings import asks_name, differs, quotes, renamed
from qa.answer.versions import by_meaning, by_words, other_versions
from qa.types import Answer, Citation


def to_answer(built, g: Group, cand: np.ndarray, score: np.ndarray, text_of: Callable[[int], str]) -> Answer:
    """The answer for group ``g`` (positions into ``cand``), citing each article once."""
    t = built.tables
    rep = int(cand[g.members[0]])
    cites, docs = [], set()
    for m in g.members:
        i = int(cand[m])
        d = int(t.s_doc[i])
        if d in docs:
            continue
        docs.add(d)
        off = int(t.s_start[i]) + g.texts[m].find(g.text)
        cites.append(_cite(built, i, off, off + len(g.text), g.lead_in(m)))
    return Answer(g.text, float(min(1.0, max(0.0, score[g.members[0]]))), context(built, rep, text_of), tuple(cites))


def _cite(built, i: int, start: int, end: int, lead_in: Optional[str] = None) -> Citation:
    """The citation of characters ``start``-``end`` of sentence ``i``'s article, in its passage."""
    t = built.tables
    a = built.articles[int(t.s_doc[i])]
    return Citation(a.doc_id, a.title, a.source, a.date, a.url, t.passage_ids[int(t.s_pass[i])], start, end, lead_in)


def context(built, i: int, text_of: Callable[[int], str]) -> dict:
    """The sentences before and after sentence ``i`` in its article (None at an edge)."""
    t = built.tables
    n = len(t.sent_ids)
    before = text_of(i - 1) if i > 0 and t.s_doc[i - 1] == t.s_doc[i] else None
    after = text_of(i + 1) if i + 1 < n and t.s_doc[i + 1] == t.s_doc[i] else None
    return {"before": before, "after": after}


MAX_QUOTED = 6      # sentences one quotation may span; past it, the sentence stands alone
_PARAGRAPH_MAX = 40  # sentences read back to find where a paragraph starts


def _still_open(text: str, curly: int, straight: bool) -> tuple[int, bool]:
    """Double quotes open after ``text``, given those open before it: the depth of curly
    quotes, and whether a straight one is open. Single quotes double as apostrophes."""
    return max(0, curly + text.count("“") - text.count("”")), straight ^ (text.count('"') % 2 == 1)


def quotation(built, i: int, text_of: Callable[[int], str]) -> tuple[int, int]:
    """The sentence rows (first, last) of the quotation sentence ``i`` belongs to: a quote
    opened and not closed in one sentence goes on in the next ones of its paragraph until
    it closes (“A. B. C.” is three sentences). (i, i) when no quote runs across it, or
    when one does not close within MAX_QUOTED sentences."""
    t = built.tables
    d = t.s_doc[i]
    text = built.articles[int(d)].text

    def joined(r: int) -> bool:          # rows r and r + 1: one paragraph of one article
        return 0 <= r and r + 1 < len(t.s_doc) and t.s_doc[r] == d == t.s_doc[r + 1] \
            and "\n" not in text[int(t.s_end[r]):int(t.s_start[r + 1])]

    first = i
    while joined(first - 1) and i - first < _PARAGRAPH_MAX:
        first -= 1
    curly, straight, open_after = 0, False, {}
    r = first
    while True:
        curly, straight = _still_open(text_of(r), curly, straight)
        open_after[r] = curly > 0 or straight
        if r >= i and not open_after[r] or not joined(r) or r - i >= MAX_QUOTED:
            break
        r += 1
    if open_after[r]:
        return i, i                      # it does not close where we can see: no span
    start = i
    while start > first and open_after[start - 1]:
        start -= 1
    return (start, r) if r - start < MAX_QUOTED else (i, i)


def figure_version(fits: Callable[[str], bool], groups: Sequence[Group], cand: np.ndarray, sure: np.ndarray,
                   text_of: Callable[[int], str], s_doc: np.ndarray, dates: Sequence[str],
                   pool: np.ndarray, settled: bool = False) -> Optional[tuple[int, int]]:
    """(answer position, sentence row): the first shown answer giving a figure whose unit
    ``fits`` (``wanted(question)``: the quantity the question asks for), and the best-ranked sentence of ``pool`` (every retrieved candidate,
    best first, also those below the threshold: the other outlet's count can be worded far
    from the question) from another article of the same occasion giving a figure of that
    unit that cannot hold with it; None if there is none,
    or if that answer is not ``sure`` (per candidate: it scores as a confident answer). An
    unsure figure answers some other question as often as not, and on questions the articles
    do not answer such a lookup found "disagreements" about something else. ``settled``:
    only figures stated as facts count (``asked_figures``)."""
    for pos, g in enumerate(groups[:SHOWN]):
        mine = asked_figures(fits, g.text, settled)
        if mine:
            break
    else:
        return None
    if not sure[g.members[0]]:
        return None
    docs = {int(s_doc[int(cand[m])]) for m in g.members}
    for row in pool:
        d = int(s_doc[int(row)])
        if d in docs or not all(same_occasion(dates[d] or None, dates[x] or None) for x in docs):
            continue
        theirs = asked_figures(fits, text_of(int(row)), settled)
        if theirs and conflicting(mine, theirs):
            return pos, int(row)
    return None


def find_versions(built, groups: Sequence[Group], cand: np.ndarray, text_of: Callable[[int], str],
                  dates: Sequence[str], doc_ok: np.ndarray | None = None, question: str = "",
                  sure: np.ndarray | None = None, pool: np.ndarray | None = None
                  ) -> tuple[list[tuple[int, int, str]], list[int]]:
    """Other outlets' versions of the top answers: ((answer position, position of its
    version, kind of difference), where positions from ``len(groups)`` on are the new
    answers to add; the sentence rows of those new answers, in that order). ``cand``: the
    ranked candidates that may be shown; ``doc_ok``: the articles the question's filters
    allow (None: all); ``question`` and ``sure``: for a differing figure (``figure_version``)
    and, when the question asks what something is called, a differing name."""
    t = built.tables
    rows = [int(cand[g.members[0]]) for g in groups]
    member_of = {int(cand[m]): pos for pos, g in enumerate(groups) for m in g.members}
    cited = [{int(t.s_doc[int(cand[m])]) for m in g.members} for g in groups]

    def told_differently(a: int, b: int) -> Optional[str]:
        da, db = int(t.s_doc[a]), int(t.s_doc[b])
        if not same_occasion(dates[da] or None, dates[db] or None):
            return None
        kind = differs(text_of(a), text_of(b))
        if kind is None and naming and renamed(text_of(a), text_of(b), built.articles[da].text, built.articles[db].text):
            kind = "naming"
        return kind

    def quoted_terms(row: int) -> list[str]:
        return [w for q in quotes(text_of(row)) for w in built.tokenizer(" ".join(q))]

    naming = asks_name(question)
    searches = (by_meaning(built.dense.vectors, built.dense.search), by_words(built.bm25_sent, quoted_terms))
    # A first answer that does not give the quantity asked for does not answer the question:
    # how other outlets word it is beside the point.
    fits = wanted(question) if question else None
    settled = asks_settled(question)
    gives_asked = fits is None or bool(asked_figures(fits, groups[0].text, settled))
    found = other_versions(searches, t.s_doc, rows, cited, told_differently, doc_ok) if gives_asked else []
    figure = figure_version(fits, groups, cand, sure, text_of, t.s_doc, dates, cand if pool is None else pool,
                            settled) if fits is not None and sure is not None else None
    if figure is not None and figure[1] not in {r for _, r, _ in found}:
        found.append((*figure, "figures"))
    new = list(dict.fromkeys(r for _, r, _ in found if r not in member_of))
    at = {r: len(groups) + n for n, r in enumerate(new)}
    triples = [(pos, member_of[r] if r in member_of else at[r], kind) for pos, r, kind in found]
    return [(i, j, kind) for i, j, kind in triples if i != j], new


def version_answers(assistant, query, fl: dict, rows: list[int]) -> list[Answer]:
    """Answers for other outlets' versions the ranker left out (``find_versions``' new rows),
    scored as any candidate, each citing every article that printed the same sentence
    (within the filters). ``assistant``: the ``qa.answer.engine.Assistant`` asked."""
    if not rows:
        return []
    vrows = np.array(rows)
    _, feats = assistant.features_of(query, fl, vrows)      # one pass: BM25 and the query vector once
    scores, _ = assistant.rescored(query, vrows, assistant.fused(query, vrows, feats), everything=True)
    out = []
    built, mask = assistant.built, assistant.doc_mask(fl)
    t = built.tables
    for row, score in zip(rows, scores):
        copies = [j for j in assistant.copies.get(t.sent_ids[row], ())
                  if j != row and (mask is None or mask[t.s_doc[j]])]
        whole = _quotation_answer(built, [int(row)] + copies, float(score), assistant.sentence_text)
        if whole is None:
            cand = np.array([row] + copies)
            text = assistant.sentence_text(int(row))
            g = Group(list(range(len(cand))), frozenset(), text, dict.fromkeys(range(len(cand)), text))
            whole = to_answer(built, g, cand, np.array([score]), assistant.sentence_text)
        out.append(whole)
    return out


def _quotation_answer(built, rows: list[int], score: float, text_of: Callable[[int], str]) -> Optional[Answer]:
    """A version that is one sentence of a longer quotation, given whole: the reader weighs
    how each outlet quoted the statement, not a fragment of it. It cites each article (of
    ``rows``: one sentence and its copies) whose quotation reads the same. None when the
    first row's sentence is no part of a longer quotation."""
    t = built.tables
    first, last = quotation(built, rows[0], text_of)
    if first == last:
        return None
    spans = [(first, last)] + [quotation(built, r, text_of) for r in rows[1:]]
    said = [built.articles[int(t.s_doc[r])].text[int(t.s_start[a]):int(t.s_end[b])] for r, (a, b) in zip(rows, spans)]
    cites, docs = [], set()
    for r, (a, b), words in zip(rows, spans, said):
        d = int(t.s_doc[r])
        if words == said[0] and d not in docs:
            docs.add(d)
            cites.append(_cite(built, r, int(t.s_start[a]), int(t.s_end[b])))
    around = {"before": context(built, first, text_of)["before"], "after": context(built, last, text_of)["after"]}
    text = said[0]
    return Answer(text, min(1.0, max(0.0, score)), around, tuple(cites))
