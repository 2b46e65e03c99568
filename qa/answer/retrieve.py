"""Candidate generation and per-sentence features for fusion.

Each sentence is scored with its passage as context, on absolute scales:
  bm25_sent  sentence BM25 / the query's idf mass (about 1 = every term matched once)
  bm25_pass  the same for the passage holding the sentence
  dense_sent cosine(question, sentence)
  dense_pass cosine(question, passage), the passage vector being the normalised
             mean of its sentence vectors
  *_window   the same for the sentence joined with the one before it
  type_mismatch  1 when the sentence cannot supply the answer type asked for (0.5 for a
             why-question, whose check is weak); for a question that names what it counts,
             0.5 when its numbers count something else; for "What is X?", 1 when the
             sentence does not say what X is
  time_mismatch  1 when the question names a time (qa/answer/when.py) and the sentence's
             article is not from then, while some article is; by the sentence itself when
             it names a month or year ("in May last year"): 1 if another, 0 if that one
             (by the sentence alone when no dated article is from then: "in 1990")
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from qa.answer.answer_type import ASKS_TALLY, PATTERNS, TIME_NOUNS, matches, question_type
from qa.answer.modality import asks_settled, settled_figures
from qa.answer.naming import defined, describes, names_something
from qa.answer.quantities import asked_quantity, figures
from qa.answer.speakers import asked_speaker
from qa.ingest.textnorm import Tokenizer
from qa.answer.when import conflicts, named_period, sentence_periods

# The fused score is a weighted sum of these per-candidate columns (weights: AskConfig).
SIMILARITIES = ("bm25_sent", "bm25_pass", "bm25_window", "dense_sent", "dense_pass", "dense_window")
FEATURES = SIMILARITIES + ("type_mismatch", "time_mismatch")

_ANAPHORA = frozenset("he she him her his hers they them their theirs it its this that these those there "
                      "then such one ones".split())
_ELLIPSIS = re.compile(r"^\s*(and|but|so|what about|how about|why|also|and what|what else)\b", re.I)


@dataclass
class Query:
    text: str
    tokens: list[str]
    dense_text: str
    extra: list[tuple[str, float]] = field(default_factory=list)   # (token, weight) from history
    avoid: Optional[int] = None                                     # the previous turn's answer
    kind: Optional[str] = None                                      # wanted answer type
    period: Optional[tuple] = None                                  # (year, month) named
    names: frozenset = frozenset()                                  # Lexicon.names of the articles
    # (tokens as written, tokens of the other form): a name and the initials the articles
    # use for it, or initials and their name (qa/answer/acronyms.py). BM25 searches the
    # other form too, worth no more than the form written.
    alias: list[tuple[list[str], list[str]]] = field(default_factory=list)
    # Read from the question once, not once per candidate: the units that answer a
    # question naming what it counts (qa.answer.quantities.asked_quantity), and the subject
    # of "What is X?" (qa.answer.naming.defined).
    counted: Optional[Callable[[str], bool]] = field(init=False, repr=False, compare=False)
    subject: Optional[str] = field(init=False)
    # "What did <X> say?": X's head word and name words (qa.answer.speakers.asked_speaker).
    speaker: Optional[tuple[str, frozenset[str]]] = field(init=False)
    # The tokenizer the query's tokens came from (the index's, reading typos as known words),
    # when it is read for the articles: with it, a "who" or "when" question's ``relation``,
    # its tokens other than those of the names it writes ("founded" in "Who founded <X>?",
    # "When was <X> founded?"), which a sentence answering it holds at least one of.
    tokenize: Optional[Callable[[str], list[str]]] = field(default=None, repr=False, compare=False)
    relation: frozenset = field(init=False)
    # Asked a settled figure, which a prospect does not give (qa.answer.modality).
    settled: bool = field(init=False)

    def __post_init__(self):
        if self.kind is None:
            self.kind = question_type(self.text)
        if self.period is None:
            self.period = named_period(self.text)
        self.counted = asked_quantity(self.text)
        self.subject = defined(self.text)
        self.speaker = asked_speaker(self.text)
        self.settled = asks_settled(self.text)
        self.relation = frozenset()
        if self.kind in ("person", "date") and self.tokenize is not None:
            # Not what was done: the names it writes, a year or other number it names, in
            # figures or words ("Who won in 2015?", "… close the first four schools?"), the words
            # asking for a time ("In what year …?").
            other = frozenset(self.tokenize(" ".join(_NAMED.findall(self.text)) + " " + _ASKING_TIME))
            self.relation = frozenset(t for t in self.tokens if t not in other and not t.isdigit()
                                   and not PATTERNS["number"].fullmatch(t))


def is_follow_up(q: str, tok: Tokenizer, known=None, names: frozenset[str] = frozenset()) -> bool:
    """A question that leans on the conversation: a pronoun, an elliptical opening, or
    too few content words to stand alone, all of them words the corpus uses ("What was
    the vote?"). "What is the capital of France?" is short too, but about other things:
    it must not inherit the topic of the question before it. ``names``: words the articles
    write as names (qa.index.lexicon ``Lexicon.names``), for questions typed in lower case."""
    words = set(tok.words(q))
    if words & _ANAPHORA:
        return True
    if _ELLIPSIS.match(q):   # "And why?" leans on the conversation; "And why was X banned?" does not
        return not names_something(q, names)
    # A short question that names its own subject ("What did Unison say?") is a new
    # question, however few words it has; one that names nothing ("What did the union
    # say?", "What was the vote?") leans on the one before.
    if names_something(q, names):
        return False
    terms = tok(q)
    return len(terms) <= 2 and (known is None or all(t in known for t in terms))


def _terms(bm25, query: Query) -> dict[int, float]:
    terms = bm25.query_terms(query.tokens)
    seen = set(query.tokens)
    for t, w in query.extra:
        j = bm25.term_id.get(t)
        if j is not None and t not in seen:
            terms[j] = max(terms.get(j, 0.0), w)
    return terms


def _with_aliases(bm25, query: Query, terms: dict[int, float]) -> dict[int, float]:
    """``terms`` and the other forms of the names the question writes (``Query.alias``),
    each form weighted so that it is worth, in idf, at most what the written form is."""
    out = dict(terms)
    seen = set(query.tokens)
    for written, other in query.alias:
        new = bm25.query_terms([t for t in other if t not in seen])
        want = bm25.idf_mass(new)
        if want <= 0:
            continue
        w = min(1.0, bm25.idf_mass(bm25.query_terms(written)) / want)
        for j in new:
            out[j] = max(out.get(j, 0.0), w)
    return out


def bm25_scores(b, query: Query, doc_mask: Optional[np.ndarray]) -> dict:
    """Sentence and passage BM25 score vectors (zero outside ``doc_mask``) and the
    query's idf mass for each, which the features divide by. A name's other form
    (``Query.alias``) scores but adds nothing to the mass: it stands for words already
    counted."""
    t = b.tables
    s_terms, p_terms = _terms(b.bm25_sent, query), _terms(b.bm25_pass, query)
    s_bm = b.bm25_sent.scores(_with_aliases(b.bm25_sent, query, s_terms))
    p_bm = b.bm25_pass.scores(_with_aliases(b.bm25_pass, query, p_terms))
    if doc_mask is not None:
        s_bm = np.where(doc_mask[t.s_doc], s_bm, 0.0)
        p_bm = np.where(doc_mask[t.p_doc], p_bm, 0.0)
    s_unknown = sum(1 for x in query.tokens if x not in b.bm25_sent.term_id)
    p_unknown = sum(1 for x in query.tokens if x not in b.bm25_pass.term_id)
    return {"s_bm": s_bm, "p_bm": p_bm, "s_mass": b.bm25_sent.idf_mass(s_terms, s_unknown),
            "p_mass": b.bm25_pass.idf_mass(p_terms, p_unknown)}


# How much a failed check of these kinds counts: "why" is often answered without a causal
# word (38 of 61 gold sentences of SQuAD-even's why-questions pass the check, against 84-96%
# for dates, numbers and names). Halving it for "how long" too (20 of 32 pass) cost WikiQA-even
# MAP 0.004, so only "why" is halved (docs/tuning.md, session 6).
WEAK_CHECK = {"reason": 0.5}
# "What is X?" / "Who is <name>?": a sentence that does not say what X is. Full weight:
# WikiQA-even MAP 0.655 -> 0.670 (0.665 at half), SQuAD-even MRR@10 -0.0006, news unchanged
# (answer model off; docs/tuning.md, session 6).
DEFINITION_MISS = 1.0


_ASKING_TIME = TIME_NOUNS.replace("|", " ")   # the words asking for a time ("In what year …?")
# A capitalised word not opening the question: part of a name it writes.
_NAMED = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]*")


def count_mismatch(counted, query: Query, text: str) -> float:
    """type_mismatch for a question that names what it counts (``counted``: which units
    do): 0 with a figure of such a unit, 0.5 with only numbers of something else, else 1."""
    if any(counted(f.unit) for f in figures(text, more=True)):
        return 0.0
    return 0.5 if matches(query.kind, text, query.text, query.names) else 1.0


# Words of one family share their first letters where their stems do not: "creator" /
# "created", "successor" / "succeeded", "acquire" / "acquisition". Five letters, and both
# stems at least that long, so that short words ("win" / "wine") stay apart.
_FAMILY = 5


def _holds_relation(relation: frozenset, terms: list[str]) -> bool:
    """Does a sentence with index terms ``terms`` hold a word of ``relation``, or of its family?"""
    if relation.intersection(terms):
        return True
    heads = {r[:_FAMILY] for r in relation if len(r) >= _FAMILY}
    return any(len(t) >= _FAMILY and t[:_FAMILY] in heads for t in terms)


_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)


def asks_any_number(query: Query) -> bool:
    """Is it asked "how many …?" of something not read ("how many Acme Up North members"), so
    that any number answers it? "How big was the majority?" is not: it may be answered in
    words ("a big majority")."""
    return query.counted is None and query.kind == "number" and bool(_HOW_MANY.search(query.text))


# A sum of money asked in words of money: "How much did the mayor care?" asks a degree.
_MONEY_ASKED = re.compile(r"\b(?:money|cost|costs|pay|paid|spend|spent|earn|earned|earns|worth|price|salary|"
                          r"salaries|budget|fees?|owe|owed|owes|debts?|funding|raise|raised)\b|[£$€]", re.I)


# Words that ask for a count itself. Other number questions ("How big was the majority?", "How
# close was the vote?") may be answered in words ("a big majority", "narrowly").
_ASKS_QUANTITY = re.compile(r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:number|percentage|share|proportion|margin|"
                            r"majority)\b|\bby\s+what\s+margin\b|" + ASKS_TALLY, re.I)


def asks_count(query: Query) -> bool:
    """Does the question ask how many or how much, in words that ask it: "how many …?",
    "What was the vote?", "By what margin …?", or a sum of money?"""
    if query.kind == "money":
        return bool(_MONEY_ASKED.search(query.text))
    return query.kind == "number" and bool(_ASKS_QUANTITY.search(query.text))


def lacks_asked_value(query: Query, text: str) -> bool:
    """Does ``text`` lack the kind of value the question asks for: a figure counting what it
    counts ("how many members"), any number when it asks how many of something it does not
    read, a date ("when"), a length of time or a sum of money; or,
    asked who did something or when, every word of what was done and of its family ("Who
    founded <X>?" or "When was <X> founded?" answered by a sentence about X without
    "found…"); asked a settled figure, one stated as a fact, not as a prospect
    (qa.answer.modality)?"""
    if query.counted is not None:
        return count_mismatch(query.counted, query, text) > 0 or \
            (query.settled and not any(query.counted(f.unit) for f in settled_figures(text, more=True)))
    if query.relation and not _holds_relation(query.relation, query.tokenize(text)):
        return True
    asks = query.kind in ("date", "duration", "money") or asks_any_number(query)
    if asks and query.settled and query.kind != "date" and figures(text, more=True) \
            and not settled_figures(text, more=True):
        return True              # only prospects ("could cost £2bn") for what is, or was, in fact
    return asks and not matches(query.kind, text, query.text, query.names)


def type_mismatch(query: Query, text: str) -> float:
    """The ``type_mismatch`` feature of one sentence (module docstring). A question that
    names what it counts ("How many groups …?", "What was the vote …?") wants a figure of that
    unit ("four more schools" counts schools); a number of another unit may still count it in
    other words ("ten players" for "how many Panthers"), so it is half a mismatch."""
    if query.counted is not None:
        return count_mismatch(query.counted, query, text)
    if query.subject is not None:        # "What is X?": a sentence that says what X is
        return 0.0 if describes(query.subject, text) else DEFINITION_MISS
    if query.kind is not None:
        return 0.0 if matches(query.kind, text, query.text, query.names) else WEAK_CHECK.get(query.kind, 1.0)
    return 0.0


def sentence_time_mismatch(period, text: str, date: Optional[str], article: float) -> float:
    """time_mismatch of one sentence: 1 when it names a month or year other than the
    question's ("in May last year" for "in October 2023"); else its article's value, or 0
    when it names the question's time itself."""
    named = sentence_periods(text, date)
    if any(conflicts(period, p) for p in named):
        return 1.0
    return 0.0 if named else article


def features(b, query: Query, qv: np.ndarray, cand: np.ndarray, raw: dict,
             text_of=None,
             doc_match: Optional[np.ndarray] = None, date_of=None) -> dict[str, np.ndarray]:
    """Feature columns for ``cand`` (module docstring). ``doc_match``: per article, whether
    it is from the time the question names (None: the question names none that helps)."""
    t = b.tables
    pas = t.s_pass[cand]
    s_mass, p_mass = raw["s_mass"] or 1.0, raw["p_mass"] or 1.0
    vecs = np.asarray(b.dense.vectors[cand])   # cand is sorted: memmap rows read in file order
    # The sentence before often holds what "it", "he" or "its chair" refers to.
    prev = np.maximum(cand - 1, 0)
    same = (cand > 0) & (t.s_doc[prev] == t.s_doc[cand])
    pvecs = np.asarray(b.dense.vectors[prev]) * same[:, None]
    win = vecs + pvecs
    win /= np.maximum(np.linalg.norm(win, axis=1, keepdims=True), 1e-9)
    s_bm = raw["s_bm"]
    feats = {
        "bm25_sent": s_bm[cand] / s_mass,
        "bm25_pass": raw["p_bm"][pas] / p_mass,
        "bm25_window": (s_bm[cand] + np.where(same, s_bm[prev], 0.0)) / s_mass,
        "dense_sent": vecs @ qv,
        "dense_pass": b.p_vecs[pas] @ qv,
        "dense_window": win @ qv,
        # No article from the time named: none is favoured, the sentences' own times tell.
        "time_mismatch": (np.zeros(len(cand)) if doc_match is None or not doc_match.any()
                          else (~doc_match[t.s_doc[cand]]).astype(float)),
    }
    if doc_match is not None and text_of is not None and date_of is not None:
        feats["time_mismatch"] = np.array([sentence_time_mismatch(query.period, text_of(int(i)), date_of(int(i)), m)
                                           for i, m in zip(cand, feats["time_mismatch"])])
    # Every candidate is checked, so the weights are tuned on the values serving produces
    # (checking only the best few made the column depend on the weights themselves).
    mismatch = np.zeros(len(cand))
    if text_of is not None:
        mismatch = np.array([type_mismatch(query, text_of(int(i))) for i in cand], dtype=float)
    feats["type_mismatch"] = mismatch
    return feats
