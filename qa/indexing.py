"""`qa index`: load articles, build, and write an index atomically."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from . import corpus
from .build import build, corpus_hash
from .dense import Encoder
from .store import IndexError_, load, read_manifest, save


def _say(progress: bool):
    def say(msg: str) -> None:
        if progress:
            print(f"qa index: {msg}", file=sys.stderr, flush=True)
    return say


def is_stale(paths: Sequence[str], index_dir: str | os.PathLike, model: str | None = None) -> bool:
    """True when the index is missing, unreadable, or built from other articles or model."""
    try:
        manifest = read_manifest(index_dir)
    except IndexError_:
        return True
    report = corpus.load(paths)
    enc = Encoder(model)
    return (manifest.get("corpus", {}).get("hash") != corpus_hash(report.articles)
            or manifest.get("model", {}).get("name") != enc.name)


def build_index(paths: Sequence[str], index_dir: str | os.PathLike, model: str | None = None,
                add: bool = False, progress: bool = True) -> dict:
    say = _say(progress)
    t0 = time.perf_counter()
    report = corpus.load(paths)
    for path, why in report.skipped:
        say(f"skipped {path}: {why}")
    for w in report.warnings:
        say(f"warning: {w}")
    for path, kept in report.duplicates:
        say(f"duplicate of {kept}, stored once: {path}")
    encoder = Encoder(model)
    articles, cache = report.articles, None
    if add:
        old, _ = load(index_dir, model=encoder.name)
        known = {a.content_hash for a in old.articles}
        new = [a for a in articles if a.content_hash not in known]
        say(f"adding {len(new)} new article(s) to {len(old.articles)}")
        articles = old.articles + new
        # Re-use every vector the index already holds: only new sentences are encoded.
        vecs = old.dense.vectors
        cache = {sid: np.asarray(vecs[i]) for i, sid in enumerate(old.tables.sent_ids)}
    if not articles:
        raise IndexError_("no articles found to index")
    built = build(articles, encoder, vector_cache=cache, progress=say, show_bar=progress)
    gen = save(built, index_dir, encoder.name, int(built.dense.vectors.shape[1]))
    say(f"wrote {gen} in {time.perf_counter() - t0:.1f}s")
    return {"index": str(Path(index_dir)), "generation": Path(gen).name, "articles": len(built.articles),
            "passages": len(built.tables.passage_ids), "sentences": len(built.tables.sent_ids),
            "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
            "duplicates": [{"path": p, "kept": k} for p, k in report.duplicates],
            "warnings": report.warnings, "seconds": round(time.perf_counter() - t0, 2)}
