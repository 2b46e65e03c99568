"""A turn of a conversation as a Query: the question read as the articles write it, and,
for a follow-up, what the previous turn asked and answered.

"What did she say?" after "Who chaired the inquiry?" is about the person the previous answer
named; "What was the vote?" after a question about May 2019 is about May 2019. A question
that stands on its own (qa.answer.retrieve ``is_follow_up``) is read alone.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from qa.answer.naming import referent, resolve
from qa.answer.retrieve import Query, is_follow_up
from qa.answer.when import named_period

if TYPE_CHECKING:
    from qa.answer.engine import Assistant


def turn_query(a: "Assistant", q: str, hist: list[str]) -> Query:
    """The Query for question ``q`` after the earlier questions ``hist`` (oldest first)."""
    built = a.built              # loads the index (and the assistant's tables) on first use
    tok = a.corrector            # the index's tokenizer, reading typos as known words
    q, hist = a.read(q), [a.read(h) for h in hist]
    if not hist or not is_follow_up(q, built.tokenizer, built.bm25_sent.term_id, a.names):
        return Query(q, tok(q), q, names=a.names, alias=a.aliases(q), tokenize=tok)
    prev = hist[-1]
    prev_answer = a.top_answer(prev, hist[:-1])
    extra = [(t, a.config.history_weight) for t in tok(prev)]
    # The conversation's time carries over: "What was the vote?" after "Which bills
    # passed in May 2019?" is about May 2019.
    period = named_period(q) or named_period(prev)
    if prev_answer is not None:
        prev_text = a.sentence_text(prev_answer)
        entity = referent(prev, prev_text, a.names)
        rewritten = resolve(q, entity) if entity else None
        if rewritten:   # "What did he say?" -> "What did <the name it gave> say?"
            return Query(q, tok(rewritten), rewritten, extra=extra, avoid=prev_answer, period=period,
                         names=a.names, alias=a.aliases(rewritten), tokenize=tok)
        extra += [(t, a.config.answer_weight) for t in tok(prev_text)]
    return Query(q, tok(q), f"{prev} {q}", extra=extra, avoid=prev_answer, period=period,
                 names=a.names, alias=a.aliases(q), tokenize=tok)
