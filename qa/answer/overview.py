"""Questions that ask what the articles report, not a fact in them: "What happened in July
2021?", "What's the news?", "What is this about?", "Summarise the articles".

No sentence is similar to such a question, so the ranking would find nothing and the
assistant would say it found no answer. News answers them in its first sentence: a report
opens with what happened (the lede). So an overview question gets the articles' opening
sentences, those of the articles from the time it names when it names one, each quoted and
cited like any answer, under a fixed message saying what they are.

A question is an overview when nothing is left of it once its question words, stopwords,
the time it names and the words that only ask for news or a summary are taken out; "What
happened to the chair?" names something, and is an ordinary question.
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

from qa.ingest.textnorm import Tokenizer

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
    """Does the question ask what the articles report, naming nothing but a time?"""
    words = _WORDS.content_words(_TIME.sub(" ", question))
    return not [w for w in words if w not in _ASKS_NEWS]


def opening_rows(s_doc: np.ndarray, allowed: Optional[np.ndarray]) -> np.ndarray:
    """The first sentence row of each article (``allowed``: per article, or None for all)."""
    docs, first = np.unique(np.asarray(s_doc), return_index=True)
    if allowed is not None:
        first = first[allowed[docs]]
    return np.sort(first).astype(np.int64)
