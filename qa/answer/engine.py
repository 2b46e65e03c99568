"""The one ``ask()`` core behind the CLI, the chat, the HTTP API and the harness."""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from qa.index.build import Built
from qa.answer.abstention import threshold, withholds
from qa.answer.compose import find_versions, to_answer, version_answers
from qa.answer.config import AskConfig
from qa.answer.conversation import turn_query
from qa.answer.dedup import group
from qa.answer.disagree import disagreements
from qa.index.encoder import Encoder
from qa.index.lexicon import Lexicon
from qa.settings import current
from qa.answer.reading import read, read_as
from qa.answer.rescore import Rescorer, blend, default_rescorer, read_rising
from qa.answer.retrieve import Query, bm25_scores, features, lacks_asked_value
from qa.answer.retriever import Request, Retriever, load_retriever
from qa.answer.spelling import Corrector
from qa.answer.fusion import convex
from qa.answer.overview import asks_overview, opening_sentences
from qa.request import MAX_HISTORY, MAX_K, MAX_QUESTION_CHARS, QuestionError, article_mask, check_filters, clean_history, clean_question  # noqa: F401
from qa.types import Result
from qa.answer.when import articles_from, month_table

NOT_FOUND = "I could not find an answer to that in the articles."
UNSURE = "The articles may not answer this directly. These are the closest sentences."


def default_index_dir() -> Path:
    return current().index


class Assistant:
    """Holds one index and one encoder; thread-safe for concurrent ``ask`` calls."""

    def __init__(self, index_dir: str | os.PathLike | None = None, model: str | None = None,
                 config: AskConfig | None = None, verify: bool = True, rescorer: Rescorer | None = None,
                 retriever: Retriever | str | None = None):
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self.encoder = Encoder(model)
        self.config = config or AskConfig()
        self._plug_in(rescorer, retriever)
        self._verify = verify
        self._built: Optional[Built] = None
        self.manifest: dict = {}
        self._lock = threading.Lock()

    @classmethod
    def from_built(cls, built: Built, encoder: Encoder, config: AskConfig | None = None,
                   rescorer: Rescorer | None = None, retriever: Retriever | str | None = None) -> "Assistant":
        a = cls.__new__(cls)
        a.index_dir, a.encoder, a.config, a._verify = None, encoder, config or AskConfig(), False
        a._plug_in(rescorer, retriever)
        a._built, a.manifest, a._lock = built, {}, threading.Lock()
        a._prepare()
        return a

    def _plug_in(self, rescorer: Rescorer | None, retriever: Retriever | str | None) -> None:
        """The two seams: the given re-scorer and retriever, else those the settings name."""
        self.rescorer, self.rescorer_status = (rescorer, "on (given)") if rescorer is not None \
            else default_rescorer(self.config.rescore_weight)
        self.retriever = retriever if isinstance(retriever, Retriever) \
            else load_retriever(retriever or current().retriever, self)

    @property
    def built(self) -> Built:
        if self._built is None:
            with self._lock:
                if self._built is None:
                    from qa.index.store import load

                    built, manifest = load(self.index_dir, model=self.encoder.name, verify=self._verify)
                    self.manifest = manifest
                    self._built = built
                    self._prepare()
        return self._built

    def _prepare(self) -> None:
        """Lookup tables derived at load time rather than stored."""
        b = self._built
        t = b.tables
        self.passage_first = np.searchsorted(t.s_pass, np.arange(len(t.passage_ids) + 1))
        by_id: dict[str, list[int]] = {}
        for i, sid in enumerate(t.sent_ids):
            by_id.setdefault(sid, []).append(i)
        self.copies = {k: v for k, v in by_id.items() if len(v) > 1}
        self._doc_sources = np.array([(a.source or "").casefold() for a in b.articles], dtype=str)
        self.doc_dates = np.array([a.date or "" for a in b.articles], dtype="U10")
        self.doc_months = month_table(self.doc_dates)
        self._doc_ids = np.array([a.doc_id for a in b.articles], dtype=str)
        self.corrector = Corrector(b.tokenizer, b.bm25_sent.term_id, b.bm25_sent.df,
                                    lambda: self.lexicon, self.encoder.vocabulary())
        self._word_sets: dict[str, frozenset] = {}      # names and the like (``_lexicon_words``)
        self._acronyms = None

    def _lexicon_words(self, key: str, of: Callable[[Lexicon], frozenset]) -> frozenset:
        """A set of the lexicon's words, read once a load (``_prepare`` empties the cache)."""
        if key not in self._word_sets:
            self._word_sets[key] = of(self.lexicon)
        return self._word_sets[key]

    @property
    def names(self) -> frozenset:
        """Words the articles write as names (``lexicon``). Follow-ups, questions typed in
        lower case and the answer-type check of a sentence's first word use them."""
        return self._lexicon_words("names", Lexicon.names)

    @property
    def names_once(self) -> frozenset:
        """Words the articles write capitalised whenever they use them, if only once: a
        question typed in lower case has two or more of them in a row capitalised."""
        return self._lexicon_words("once", lambda lex: lex.names(1))

    @property
    def capitalised(self) -> frozenset:
        """Words the articles write capitalised at least once mid-sentence: what a
        capitalised typo may be read as (qa.answer.spelling ``Corrector.fix``)."""
        return self._lexicon_words("capitalised", Lexicon.capitalised)

    @property
    def lexicon(self) -> Lexicon:
        """The names, initials and words the articles use, as the index stores them
        (qa/index/lexicon.py); an index written before it stored them has its articles read
        once, on first use."""
        return self.built.counted_lexicon()   # loads the index, and _prepare, on first use

    def aliases(self, text: str) -> list[tuple[list[str], list[str]]]:
        """Tokens of each name or initials ``text`` writes, with those of the form the
        articles also use (qa/answer/acronyms.py, from ``lexicon``)."""
        if self._acronyms is None:
            from qa.answer.acronyms import Acronyms

            self._acronyms = Acronyms.of(self.lexicon)
        tok = self.corrector
        return [(tok(written), tok(other)) for written, other in self._acronyms.aliases(text)]

    def warm_up(self) -> "Assistant":
        _ = self.built
        self.encoder.warm_up()
        self.encoder.encode_query("warm up")
        self.retriever.warm_up()
        if self.rescoring:
            self.rescorer.warm_up()
        return self

    def sentence_text(self, i: int) -> str:
        t = self.built.tables
        return self.built.articles[t.s_doc[i]].text[t.s_start[i]:t.s_end[i]]

    def doc_mask(self, filters: dict) -> Optional[np.ndarray]:
        """Boolean mask over articles allowed by ``filters`` (None: no filtering)."""
        return article_mask(filters, self._doc_sources, self._doc_ids, self.doc_dates)

    # ------------------------------------------------------------------ ask
    def ask(self, question: str, history: Sequence[str] = (), k: int = 3, filters: dict | None = None) -> Result:
        q = clean_question(question)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise QuestionError("k must be a whole number of at least 1")
        k = min(k, MAX_K)
        hist = clean_history(history)
        fl = check_filters(filters)
        if not self.built.tables.sent_ids:
            return Result(q, True, "The index holds no articles yet.")
        query = self.query(q, hist)
        return self._answer(q, query, k, fl)

    def rank(self, question: str, history: Sequence[str] = (), filters: dict | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate sentence (indices into the sentence table) with its fused
        score, best first, before grouping and abstention. For benchmarks."""
        q = clean_question(question)
        ranked = self._rank(self.query(q, clean_history(history)), check_filters(filters))
        return ranked[:2] if ranked is not None else (np.zeros(0, np.int64), np.zeros(0))

    def query(self, q: str, hist: list[str]) -> Query:
        """The Query for question ``q`` after the turns ``hist`` (qa/answer/conversation.py)."""
        return turn_query(self, q, hist)

    def read(self, text: str) -> str:
        """A question as every reader of its words takes it (qa.answer.reading ``read``)."""
        return read(text, lambda t: self.corrector.fix(t, lambda: self.capitalised), lambda: self.names,
                    lambda: self.names_once)

    def top_answer(self, q: str, hist: list[str]) -> Optional[int]:
        """The sentence a turn would quote first (None if it abstains)."""
        query = self.query(q, hist)
        res = self._rank(query, {})
        return None if withholds(self, query, res) else int(res[0][0])

    def features(self, question: str, history: Sequence[str] = (), filters: dict | None = None
                 ) -> tuple[np.ndarray, dict]:
        """Every candidate sentence with its feature columns before fusion (named in
        qa/answer/retrieve.py); ``rank`` fuses these. For tuning and benchmarks."""
        q = clean_question(question)
        return self.features_of(self.query(q, clean_history(history)), check_filters(filters))

    def features_of(self, query: Query, fl: dict, rows: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
        """The retriever's candidates (or the sorted sentence ``rows`` given) with their
        feature columns."""
        b = self.built
        qv = self.encoder.encode_query(query.dense_text)
        mask = self.doc_mask(fl)
        raw = bm25_scores(b, query, mask)
        cand = self.retriever.candidates(Request(query, qv, fl, mask, raw)) if rows is None else rows
        if len(cand) == 0:
            return cand, {}
        match = articles_from(self.doc_months, query.period)
        return cand, features(b, query, qv, cand, raw, self.sentence_text, match, self._date_of)

    def _date_of(self, i: int) -> Optional[str]:
        """The ISO date of sentence ``i``'s article (None when undated)."""
        return self.doc_dates[self.built.tables.s_doc[i]] or None

    def _rank(self, query: Query, fl: dict):
        cand, feats = self.features_of(query, fl)
        if len(cand) == 0:
            return None
        score, prob = self.rescored(query, cand, self.fused(query, cand, feats))
        order = np.lexsort((cand, -score))
        similar = np.maximum(feats["dense_sent"], feats["dense_window"])
        return cand[order], score[order], prob[order], similar[order]

    def fused(self, query: Query, cand: np.ndarray, feats: dict) -> np.ndarray:
        """The fused score of each candidate: the weighted feature columns, with the
        previous turn's answer damped for a follow-up. Tuning calls this too."""
        score = convex(feats, self.config.weights)
        if query.avoid is not None:
            score = np.where(cand == query.avoid, score * self.config.repeat_penalty, score)
        return score

    def rescored(self, query: Query, cand: np.ndarray, fused: np.ndarray, everything: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
        """``fused`` joined with the re-scorer's probabilities (unchanged when the stage is
        off), and those probabilities per candidate (NaN where it did not read). It reads
        as ``read_rising`` decides (AskConfig), or every candidate with ``everything``. Tuning
        calls ``blend`` the same way, so both see the same scores."""
        cfg = self.config
        prob = np.full(len(cand), np.nan)
        if not self.rescoring or len(cand) == 0:
            return fused, prob

        def score(positions: np.ndarray) -> np.ndarray:
            return self.rescorer.score(query.dense_text, [self.sentence_text(int(cand[i])) for i in positions])

        if everything:
            top = np.arange(len(cand))
            p = score(top)
        else:
            top, p = read_rising(fused, score, cfg.rescore_weight, cfg.rescore_top,
                                 max(cfg.rescore_top, cfg.rescore_most))
        prob[top] = p
        return blend(fused, top, p, cfg.rescore_weight), prob

    @property
    def rescoring(self) -> bool:
        """Is the answer-scorer stage on (a re-scorer given, and a weight for it)?"""
        return self.rescorer is not None and self.config.rescore_weight > 0

    def _answer(self, q: str, query: Query, k: int, fl: dict) -> Result:
        if not query.extra and asks_overview(query.text):
            overview = opening_sentences(self, q, query, k, fl)
            if overview is not None:
                return overview
        ranked = self._rank(query, fl)
        if withholds(self, query, ranked):
            best = None if ranked is None else float(ranked[1][0])
            return Result(q, True, NOT_FOUND, (), read_as=read_as(q, query.text), debug={"best_score": best})
        pool, score, _, _ = ranked
        keep = score >= threshold(self)
        cand, score = pool[keep], score[keep]
        tok = self.built.tokenizer
        texts = [self.sentence_text(int(i)) for i in cand]
        dates = [self._date_of(int(i)) for i in cand]
        groups = group(texts, [frozenset(tok.words(t)) for t in texts], k, dates)
        answers = [to_answer(self.built, g, cand, score, self.sentence_text) for g in groups]
        versions, new = find_versions(self.built, groups, cand, self.sentence_text, self.doc_dates,
                                      self.doc_mask(fl), query.text, score >= self.config.confident, pool)
        answers += version_answers(self, query, fl, new)
        # A first answer without the value asked for ("how many members?" answered by a
        # sentence counting no members) may be about the question without answering it.
        unsure = score[0] < self.config.confident or lacks_asked_value(query, texts[0])
        message = UNSURE if unsure else None
        return Result(q, False, message, tuple(answers), disagreements=disagreements(query.text, answers, versions=versions),
                      read_as=read_as(q, query.text),
                      debug={"best_score": float(score[0])})

    def health(self) -> dict:
        from qa import __version__

        m = self.manifest
        return {"status": "ok", "version": __version__, "model": m.get("model"),
                "index": str(self.index_dir), "counts": m.get("corpus", {}), "created": m.get("created"),
                "answer_model": self.rescorer_status}


_default: Optional[Assistant] = None
_default_lock = threading.Lock()


def ask(question: str, history: Sequence[str] = (), k: int = 3, filters: dict | None = None) -> Result:
    """Answer ``question`` from the default index (``$QA_INDEX`` or ./index)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Assistant()
    return _default.ask(question, history=history, k=k, filters=filters)
