"""Questions that ask what the articles report, not a fact in them: "What happened in July
2021?", "What's the news?", "What is this about?", "Summarise the articles".

No sentence is similar to such a question, so the ranking would find nothing and the
assistant would say it found no answer. News answers them in its first sentence: a report
opens with what happened (the lede). So an overview question gets the articles' opening
sentences, those of the articles from the time it names when it names one, each quoted and
cited like any answer, under a fixed message saying what they are.

A question is an overview when it asks for news or a summary ("happened", "news", "about",
"summarise" …) and nothing is left of it once its question words, stopwords, the time it
names and those words are taken out; "What happened to the chair?" names something, and is
an ordinary question; "How are you?" asks for no news, and is not answered from the articles.
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

from qa.answer.dedup import group
from qa.answer.compose import to_answer
from qa.answer.reading import read_as
from qa.answer.when import articles_from
from qa.ingest.textnorm import Tokenizer
from qa.types import Result

OVERVIEW = "These are the articles' opening sentences: what each reports first."

# Words that only ask for news or a summary.
_ASKS_NEWS = frozenset("""happen happens happened happening news story stories latest going go
goes summary summarise summarize summarised summarized overview article articles tell
update updates new anything everything main key headline headlines gist report reports
reported brief briefly recap say""".split())
_TIME = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|"
                   r"november|december|(?:19|20)\d\d|today|yesterday|week|month|year|last|this)\b", re.I)
_WORDS = Tokenizer()


def asks_overview(question: str) -> bool:
    """Does the question ask what the articles report ("what happened", "the news", "what is
    it about"), naming nothing but a time? "How are you?" names nothing either, but asks for
    no news: it is no overview question."""
    text = _TIME.sub(" ", question)
    if not any(w in _ASKS_NEWS or w == "about" for w in _WORDS.words(text)):
        return False
    return not [w for w in _WORDS.content_words(text) if w not in _ASKS_NEWS]


def opening_rows(s_doc: np.ndarray, allowed: Optional[np.ndarray]) -> np.ndarray:
    """The first sentence row of each article (``allowed``: per article, or None for all)."""
    docs, first = np.unique(np.asarray(s_doc), return_index=True)
    if allowed is not None:
        first = first[allowed[docs]]
    return np.sort(first).astype(np.int64)


def opening_sentences(assistant, q: str, query, k: int, fl: dict) -> Optional[Result]:
    """The answer to an overview question: the opening sentence of each article the filters
    allow (of those from the time the question names, when some are), latest article first,
    scored as any candidate; None when no article is left or none is from the time named.
    ``assistant``: the ``qa.answer.engine.Assistant`` asked, ``query`` its reading of ``q``."""
    allowed, then = assistant.doc_mask(fl), articles_from(assistant.doc_months, query.period)
    if then is not None and not then.any():
        return None              # no article is from then: ranked sentences may speak of it
    if then is not None:
        allowed = then if allowed is None else allowed & then
    s_doc = assistant.built.tables.s_doc
    rows = opening_rows(s_doc, allowed)
    if len(rows) == 0:
        return None
    _, feats = assistant.features_of(query, fl, rows)
    score = assistant.fused(query, rows, feats)
    dates = [assistant.doc_dates[s_doc[int(i)]] or "" for i in rows]
    # latest first: ISO dates sort as text, and undated ("") come last; ties in index order
    order = sorted(range(len(rows)), key=lambda n: (dates[n], -int(rows[n])), reverse=True)
    cand, score = rows[order], score[order]
    texts = [assistant.sentence_text(int(i)) for i in cand]
    words = [frozenset(assistant.built.tokenizer.words(t)) for t in texts]
    groups = group(texts, words, k, [dates[n] or None for n in order])
    answers = [to_answer(assistant.built, g, cand, score, assistant.sentence_text) for g in groups]
    return Result(q, False, OVERVIEW, tuple(answers), read_as=read_as(q, query.text),
                  debug={"best_score": float(score.max()), "overview": True})
