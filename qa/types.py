"""Typed, frozen records passed between the stages. Spans are [start, end) character
offsets into the article's decoded text, so ``article.text[start:end]`` is verbatim."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Article:
    doc_id: str
    text: str                      # decoded file text (HTML: the extracted main text)
    title: str
    source: Optional[str] = None   # publisher; None when the article does not say
    date: Optional[str] = None     # YYYY-MM-DD
    url: Optional[str] = None
    path: Optional[str] = None
    content_hash: str = ""
    body: tuple[tuple[int, int], ...] = ()   # kept (cleaned) spans of ``text``


@dataclass(frozen=True)
class Passage:
    passage_id: str
    doc: int        # index into the article table
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    sent_id: str    # content hash of the folded text: equal text => equal id
    doc: int
    passage: int    # index into the passage table
    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    source: Optional[str]
    date: Optional[str]
    url: Optional[str]
    passage_id: str
    start: int
    end: int
    # When copies of one sentence are merged, the quote is the stretch they all share and
    # a copy's speech lead-in ("A party spokeswoman said:") falls outside it; it is kept
    # here, verbatim from the same sentence, so the quote keeps its speaker.
    lead_in: Optional[str] = None


@dataclass(frozen=True)
class Answer:
    text: str
    score: float
    context: dict
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Result:
    question: str
    abstained: bool
    message: Optional[str]
    answers: tuple[Answer, ...] = ()
    # qa.answer.disagree.Disagreement records: where the answers give different figures or quote
    # one statement differently. Keyword-only, so callers passing ``debug`` by position work.
    disagreements: tuple = field(default=(), kw_only=True)
    # The question as it was read when that differs in its words from what was typed (a
    # typo written as the articles' word, a lead-in dropped: qa.answer.reading); else None.
    read_as: Optional[str] = field(default=None, kw_only=True)
    debug: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """The documented JSON shape shared by the CLI, the HTTP API and the harness."""
        return {
            "question": self.question,
            "read_as": self.read_as,
            "abstained": self.abstained,
            "message": self.message,
            "answers": [
                {
                    "text": a.text,
                    "score": round(float(a.score), 4),
                    "context": dict(a.context),
                    "citations": [asdict(c) for c in a.citations],
                }
                for a in self.answers
            ],
            "disagreements": [
                {"kind": d.kind, "message": d.message, "answers": [list(side) for side in d.answers]}
                for d in self.disagreements
            ],
        }
