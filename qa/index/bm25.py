"""BM25 with rank-bm25's exact BM25Okapi scoring, served from a sparse matrix.

rank_bm25.get_scores loops over documents in Python (~200 ms a query at 100k docs).
Here each document's per-term score idf*tf*(k1+1)/(tf+k1*(1-b+b*dl/avgdl)) is
precomputed once into a term-major (CSC) matrix, so a query only touches the
postings of its own terms: the scores are identical, computed in microseconds.

Same four verbs as bm25s: build, search, save, load. Tokenizing is the caller's job;
the index takes token lists.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25   # rank-bm25's floor for negative idf, as a share of the mean idf

    def to_dict(self) -> dict:
        return {"variant": "okapi", "k1": self.k1, "b": self.b, "epsilon": self.epsilon}


class BM25Index:
    def __init__(self, counts: sp.csr_matrix, vocab: list[str], params: BM25Params = BM25Params()):
        self.params = params
        self.vocab = vocab
        self.term_id = {t: i for i, t in enumerate(vocab)}
        self.counts = counts.tocsr()
        self._finalize()

    # -- build ---------------------------------------------------------------
    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], params: BM25Params = BM25Params(),
              vocab: list[str] | None = None) -> "BM25Index":
        vocab = list(vocab or [])
        counts = _count_matrix(docs, vocab, {t: i for i, t in enumerate(vocab)})
        return cls(counts, vocab, params)

    def add(self, docs: Iterable[Sequence[str]]) -> "BM25Index":
        """A new index with ``docs`` appended. Statistics (N, avgdl, idf) are recomputed
        from raw counts, so the result equals a full rebuild over old + new docs."""
        vocab = list(self.vocab)
        new = _count_matrix(docs, vocab, dict(self.term_id))
        old = self.counts
        old = sp.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab)))
        return BM25Index(sp.vstack([old, new], format="csr"), vocab, self.params)

    def _finalize(self) -> None:
        c = self.counts
        n_docs, n_terms = c.shape
        self.doc_len = np.asarray(c.sum(axis=1)).ravel().astype(np.float64)
        self.n_docs = n_docs
        avgdl = float(self.doc_len.sum() / n_docs) if n_docs else 0.0
        self.df = np.bincount(c.indices, minlength=n_terms)   # documents holding each term
        df = self.df.astype(np.float64)
        seen = df > 0   # rank-bm25 only knows words that occur somewhere
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        idf[~seen] = 0.0
        if seen.any():
            eps = self.params.epsilon * float(idf[seen].sum() / seen.sum())
            idf[seen & (idf < 0)] = eps
        self.idf = idf
        k1, b = self.params.k1, self.params.b
        tf = c.data.astype(np.float64)
        rows = np.repeat(np.arange(n_docs), np.diff(c.indptr))
        norm = k1 * (1 - b + b * self.doc_len[rows] / avgdl) if avgdl else np.full_like(tf, k1)
        w = idf[c.indices] * tf * (k1 + 1) / (tf + norm)
        self._w = sp.csr_matrix((w, c.indices, c.indptr), shape=c.shape).tocsc()
        # Plain arrays for the query loop: scipy attribute access costs more than the
        # arithmetic on a short posting list.
        self._ptr = self._w.indptr.tolist()
        self._doc = self._w.indices
        self._val = self._w.data

    # -- query ---------------------------------------------------------------
    def query_terms(self, tokens: Sequence[str], weights: Sequence[float] | None = None) -> dict[int, float]:
        """Known term ids with their multiplicity (rank-bm25 counts repeated terms)."""
        out: dict[int, float] = {}
        for i, t in enumerate(tokens):
            j = self.term_id.get(t)
            if j is not None:
                out[j] = out.get(j, 0.0) + (1.0 if weights is None else float(weights[i]))
        return out

    def scores(self, terms: dict[int, float]) -> np.ndarray:
        """BM25 score of every document (float64, length n_docs)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        ptr, doc, val = self._ptr, self._doc, self._val
        for j, q in terms.items():
            s, e = ptr[j], ptr[j + 1]
            # add.at (unbuffered, fast path since numpy 1.25) beats gather-add-scatter
            np.add.at(out, doc[s:e], val[s:e] if q == 1.0 else q * val[s:e])
        return out

    def get_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Drop-in for ``rank_bm25.BM25Okapi.get_scores``."""
        return self.scores(self.query_terms(tokens))

    def idf_mass(self, terms: dict[int, float], unknown: float = 0.0) -> float:
        """Sum of the query's idf: what a short document holding every query term once
        scores, roughly. Dividing by it puts BM25 on a 0..~1 scale across queries.
        ``unknown`` counts query terms the corpus never uses, at the highest idf a term
        can have: a question mostly about things the corpus never mentions must not
        look like a perfect match on its one known word."""
        top = float(np.log(self.n_docs + 0.5) - np.log(0.5)) if self.n_docs else 0.0
        return float(sum(q * self.idf[j] for j, q in terms.items())) + unknown * top

    def search(self, tokens: Sequence[str], k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (doc ids, scores), best first; documents scoring 0 are left out."""
        sc = self.scores(self.query_terms(tokens))
        return top_k(sc, k)

    # -- persistence ---------------------------------------------------------
    def save(self, folder: Path, prefix: str) -> list[str]:
        c = self.counts
        files = {f"{prefix}.indptr.npy": c.indptr.astype(np.int64),
                 f"{prefix}.indices.npy": c.indices.astype(np.int32),
                 f"{prefix}.tf.npy": c.data.astype(np.int32)}
        for name, arr in files.items():
            np.save(folder / name, arr, allow_pickle=False)
        (folder / f"{prefix}.vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), "utf-8")
        return [*files, f"{prefix}.vocab.json"]

    @classmethod
    def load(cls, folder: Path, prefix: str, params: BM25Params) -> "BM25Index":
        vocab = json.loads((folder / f"{prefix}.vocab.json").read_text("utf-8"))
        indptr = np.load(folder / f"{prefix}.indptr.npy", allow_pickle=False)
        indices = np.load(folder / f"{prefix}.indices.npy", allow_pickle=False)
        tf = np.load(folder / f"{prefix}.tf.npy", allow_pickle=False)
        counts = sp.csr_matrix((tf, indices, indptr), shape=(len(indptr) - 1, len(vocab)))
        return cls(counts, vocab, params)


def _count_matrix(docs: Iterable[Sequence[str]], vocab: list[str], term_id: dict[str, int]) -> sp.csr_matrix:
    """Term counts, extending ``vocab`` in first-seen order (rank-bm25's order)."""
    indptr, indices, data = [0], [], []
    for doc in docs:
        row: dict[int, int] = {}
        for t in doc:
            j = term_id.get(t)
            if j is None:
                j = term_id[t] = len(vocab)
                vocab.append(t)
            row[j] = row.get(j, 0) + 1
        indices.extend(row)
        data.extend(row.values())
        indptr.append(len(indices))
    return sp.csr_matrix((np.asarray(data, np.int32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
                         shape=(len(indptr) - 1, len(vocab)))


def top_k(scores: np.ndarray, k: int, positive_only: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest scores, best first (ties: lower index first)."""
    cand = np.flatnonzero(scores > 0) if positive_only else np.arange(len(scores))
    if len(cand) > k:
        part = np.argpartition(-scores[cand], k - 1)[:k]
        cand = cand[part]
    order = np.lexsort((cand, -scores[cand]))
    cand = cand[order]
    return cand, scores[cand]
