"""From articles to the tables an index holds: passages, sentences, BM25, vectors."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

import numpy as np

from qa.index.bm25 import BM25Index, BM25Params
from qa.index.dense import DenseIndex, DenseParams
from qa.index.encoder import Encoder
from qa.index.lexicon import Lexicon
from qa.ingest.split import is_answerable_unit, passages as group_passages, sentences as split_sentences
from qa.ingest.textnorm import Tokenizer
from qa.types import Article

log = logging.getLogger(__name__)

PASSAGE_PARAMS = {"min_words": 60, "max_words": 200}


def text_id(text: str) -> str:
    """Content hash of a text: equal text, equal id (the embedding cache key)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@dataclass
class Tables:
    """Column-wise passage and sentence tables (numpy arrays, saved as .npy)."""
    p_doc: np.ndarray
    p_start: np.ndarray
    p_end: np.ndarray
    passage_ids: list[str]
    passage_tokens: list[list[str]] = field(repr=False, default_factory=list)
    s_doc: np.ndarray = None
    s_pass: np.ndarray = None
    s_start: np.ndarray = None
    s_end: np.ndarray = None
    sent_ids: list[str] = field(default_factory=list)


def segment(articles: list[Article], first_doc: int = 0, passage_params: dict = PASSAGE_PARAMS,
            first_passage: int = 0) -> tuple[Tables, list[str]]:
    """Split articles into passages and sentences. Returns tables and sentence texts."""
    p_rows, s_rows, pids, sids, texts, ptoks = [], [], [], [], [], []
    for di, art in enumerate(articles, start=first_doc):
        text = art.text
        for group in group_passages(list(art.body), text, **passage_params):
            pi = first_passage + len(p_rows)
            ps, pe = group[0][0], group[-1][1]
            p_rows.append((di, ps, pe))
            pids.append(text_id(f"{art.content_hash}:{ps}:{pe}"))
            ptoks.append(" ".join(text[s:e] for s, e in group))   # kept paragraphs only
            for s, e in group:
                for ss, se in split_sentences(text, s, e):
                    sent = text[ss:se]
                    if is_answerable_unit(sent):
                        s_rows.append((di, pi, ss, se))
                        sids.append(text_id(sent))
                        texts.append(sent)
    p = np.asarray(p_rows, dtype=np.int64).reshape(-1, 3)
    s = np.asarray(s_rows, dtype=np.int64).reshape(-1, 4)
    tables = Tables(p[:, 0].astype(np.int32), p[:, 1], p[:, 2], pids, ptoks,
                    s[:, 0].astype(np.int32), s[:, 1].astype(np.int32), s[:, 2], s[:, 3], sids)
    return tables, texts


def embed(texts: list[str], ids: list[str], encoder: Encoder, cache: Optional[Mapping[str, np.ndarray]] = None,
          progress: bool = False) -> np.ndarray:
    """Vectors for ``texts``; a text whose id is in ``cache`` (or repeats) is not re-encoded.
    All new texts go to the encoder in one call, which batches them by length."""
    cache = cache if cache is not None else {}
    first: dict[str, int] = {}            # id -> its first row
    src = np.empty(len(ids), dtype=np.int64)
    todo: list[int] = []
    for r, i in enumerate(ids):
        j = first.get(i)
        if j is None:
            j = first[i] = r
            if i not in cache:
                todo.append(r)
        src[r] = j
    fresh = encoder.encode([texts[r] for r in todo], progress=progress) if todo else None
    dim = fresh.shape[1] if fresh is not None else (len(next(iter(cache.values()))) if len(cache) else encoder.dim)
    out = np.empty((len(ids), dim), dtype=np.float32)
    if fresh is not None:
        out[todo] = fresh
    for i, r in first.items():
        if i in cache:
            out[r] = cache[i]
    repeat = src != np.arange(len(ids))
    out[repeat] = out[src[repeat]]
    return out


def passage_vectors(s_vecs: np.ndarray, s_pass: np.ndarray, n_passages: int) -> np.ndarray:
    """A passage's vector is the normalised mean of its sentences' vectors: context for
    scoring at no extra encoding cost."""
    dim = s_vecs.shape[1] if s_vecs.ndim == 2 else 0
    out = np.zeros((n_passages, dim), dtype=np.float32)
    if len(s_vecs):
        np.add.at(out, s_pass, s_vecs)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def corpus_hash(articles: list[Article]) -> str:
    """Changes when any article's text or metadata changes: the staleness test."""
    h = hashlib.sha256()
    for a in sorted(articles, key=lambda a: a.doc_id):
        h.update(json.dumps([a.doc_id, a.content_hash, a.title, a.source, a.date, a.url]).encode())
    return h.hexdigest()


@dataclass
class Built:
    articles: list[Article]
    tables: Tables
    bm25_sent: BM25Index
    bm25_pass: BM25Index
    dense: DenseIndex
    p_vecs: np.ndarray
    tokenizer: Tokenizer
    bm25_params: BM25Params
    # Names and initials the articles use (qa/index/lexicon.py); None for an index written
    # before the lexicon was stored: ``counted_lexicon`` then reads its articles once.
    lexicon: Optional[Lexicon] = None

    def counted_lexicon(self) -> Lexicon:
        """``lexicon``; for an index written without one, counted from the articles and kept."""
        if self.lexicon is None:
            self.lexicon = Lexicon.read(a.text for a in self.articles)
        return self.lexicon


def build(articles: list[Article], encoder: Encoder, tokenizer: Tokenizer = Tokenizer(),
          bm25_params: BM25Params = BM25Params(), dense_params: DenseParams | None = None,
          vector_cache: Optional[dict] = None, progress: Callable[[str], None] | None = None,
          show_bar: bool = False) -> Built:
    say = progress or (lambda msg: None)
    tables, texts = segment(articles)
    say(f"{len(articles)} articles, {len(tables.passage_ids)} passages, {len(texts)} sentences")
    bm25_sent = BM25Index.build((tokenizer(t) for t in texts), bm25_params)
    bm25_pass = BM25Index.build((tokenizer(t) for t in tables.passage_tokens), bm25_params)
    say("BM25 built; encoding sentences")
    vecs = embed(texts, tables.sent_ids, encoder, vector_cache, progress=show_bar)
    dense = DenseIndex.build(vecs, dense_params)
    p_vecs = passage_vectors(vecs, tables.s_pass, len(tables.passage_ids))
    lexicon = Lexicon.read(a.text for a in articles)
    return Built(articles, tables, bm25_sent, bm25_pass, dense, p_vecs, tokenizer, bm25_params, lexicon)
