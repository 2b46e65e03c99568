"""`qa index`: load articles, build, and write an index atomically.

``add=True`` extends the live index instead: only the new articles are segmented,
tokenized and encoded; BM25 statistics are recomputed from the stored counts, so the
result equals a full rebuild over old + new articles (tests/test_incremental.py).
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from qa.ingest import corpus
from qa.index.build import Built, Tables, build, corpus_hash, embed, passage_vectors, segment
from qa.index.encoder import Encoder
from qa.index.lexicon import Lexicon
from qa.settings import current
from qa.index.store import IndexError_, kill_at, load, read_manifest, save
from qa.ingest.textnorm import Tokenizer
from qa.types import Article


def _say(progress: bool):
    def say(msg: str) -> None:
        if progress:
            print(f"qa index: {msg}", file=sys.stderr, flush=True)
    return say


def is_stale(paths: Sequence[str], index_dir: str | os.PathLike, model: str | None = None) -> bool:
    """True when the index is missing, unreadable, or built from other articles, another
    model or another tokenizer (an older index still loads, but `make run` rebuilds it)."""
    try:
        manifest = read_manifest(index_dir)
    except IndexError_:
        return True
    report = corpus.load(paths)
    enc = Encoder(model)
    return (manifest.get("corpus", {}).get("hash") != corpus_hash(report.articles)
            or manifest.get("model", {}).get("name") != enc.name
            or not tokenized_as_now(manifest))


def tokenized_as_now(manifest: dict) -> bool:
    """Was the index of ``manifest`` built by the tokenizer this qa writes? One built by an
    older tokenizer still loads and is read as it was built, so it measures the old one."""
    return manifest.get("tokenizer") == Tokenizer().params()


class VectorLookup(Mapping):
    """The vectors an index already holds, by sentence id, read on demand from the
    (memory-mapped) matrix: the embedding cache of an incremental build."""

    def __init__(self, sent_ids: Sequence[str], vectors: np.ndarray):
        self._row = {sid: i for i, sid in enumerate(sent_ids)}
        self._vectors = vectors

    def __getitem__(self, sid: str) -> np.ndarray:
        return np.asarray(self._vectors[self._row[sid]], dtype=np.float32)

    def __contains__(self, sid) -> bool:
        return sid in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)


def _new_articles(old: list[Article], found: list[Article]) -> list[Article]:
    """Articles not already indexed (by content), with doc ids made unique the way a
    full load of old + new would make them."""
    known = {a.content_hash for a in old}
    new = [a for a in found if a.content_hash not in known]
    merged = list(old) + new
    corpus.dedupe_ids(merged)
    return merged[len(old):]


def extend(old: Built, new: list[Article], encoder: Encoder, show_bar: bool = False) -> Built:
    """``old`` with ``new`` articles appended; equal to ``build(old.articles + new)``."""
    t = old.tables
    n_doc, n_pass = len(old.articles), len(t.passage_ids)
    nt, texts = segment(new, first_doc=n_doc, first_passage=n_pass)
    tok = old.tokenizer
    bm25_sent = old.bm25_sent.add(tok(x) for x in texts)
    bm25_pass = old.bm25_pass.add(tok(x) for x in nt.passage_tokens)
    vecs = embed(texts, nt.sent_ids, encoder, VectorLookup(t.sent_ids, old.dense.vectors), progress=show_bar)
    p_vecs = np.concatenate([np.asarray(old.p_vecs, np.float32),
                             passage_vectors(vecs, nt.s_pass - n_pass, len(nt.passage_ids))])
    cat = np.concatenate
    tables = Tables(cat([t.p_doc, nt.p_doc]), cat([t.p_start, nt.p_start]), cat([t.p_end, nt.p_end]),
                    list(t.passage_ids) + nt.passage_ids, [],
                    cat([t.s_doc, nt.s_doc]), cat([t.s_pass, nt.s_pass]), cat([t.s_start, nt.s_start]),
                    cat([t.s_end, nt.s_end]), list(t.sent_ids) + nt.sent_ids)
    return replace(old, articles=list(old.articles) + new, tables=tables, bm25_sent=bm25_sent,
                   bm25_pass=bm25_pass, dense=old.dense.add(vecs), p_vecs=p_vecs,
                   lexicon=old.counted_lexicon().merge(Lexicon.read(a.text for a in new)))


def _warm_up_quietly(encoder: Encoder) -> None:
    try:
        encoder.warm_up()
    except Exception:
        # Not printed as a thread traceback: the main thread's own use of the encoder
        # raises the same error, once, and the CLI shows it as one line.
        pass


def build_index(paths: Sequence[str], index_dir: str | os.PathLike, model: str | Encoder | None = None,
                add: bool = False, progress: bool = True) -> dict:
    """Build (or with ``add``, extend) the index at ``index_dir``. ``model`` is a model
    name, or an already loaded Encoder (or one like it) to share (tests, benchmarks)."""
    say = _say(progress)
    t0 = time.perf_counter()
    encoder = Encoder(model) if model is None or isinstance(model, str) else model
    report = corpus.load(paths)
    if not report.articles and not add:
        raise IndexError_("no articles found to index")
    # Loading the model (~8 s of imports) overlaps with segmenting and BM25. It starts
    # only once there is work: a daemon thread still importing torch when the process
    # exits on an error can crash the interpreter's shutdown with noise on stderr.
    loader = threading.Thread(target=_warm_up_quietly, args=(encoder,), daemon=True)
    loader.start()
    for path, why in report.skipped:
        say(f"skipped {path}: {why}")
    for w in report.warnings:
        say(f"warning: {w}")
    for path, kept in report.duplicates:
        say(f"duplicate of {kept}, stored once: {path}")
    if add and (Path(index_dir) / "CURRENT").exists():
        old, _ = load(index_dir, model=encoder.name)
        new = _new_articles(old.articles, report.articles)
        say(f"adding {len(new)} new article(s) to {len(old.articles)}")
        built = extend(old, new, encoder, show_bar=progress) if new else old
    else:
        if not report.articles:
            raise IndexError_("no articles found to index")
        built = build(report.articles, encoder, progress=say, show_bar=progress)
    loader.join()
    gen = save(built, index_dir, encoder.name, int(built.dense.vectors.shape[1]),
               on_step=kill_at(current().fault_point) if current().fault_point else None)
    say(f"wrote {gen} in {time.perf_counter() - t0:.1f}s")
    return {"index": str(Path(index_dir)), "generation": Path(gen).name, "articles": len(built.articles),
            "passages": len(built.tables.passage_ids), "sentences": len(built.tables.sent_ids),
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            "duplicates": [{"path": p, "kept": k} for p, k in report.duplicates],
            "warnings": report.warnings, "seconds": round(time.perf_counter() - t0, 2)}
