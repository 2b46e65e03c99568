"""The faiss index over sentence embeddings (the encoder is qa/index/encoder.py).

The index is exact (flat) for small corpora and IVF over 8-bit codes, re-ranked exactly,
for large ones (``DenseParams.for_size``); vectors are memory-mapped row files.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from qa.settings import current

# From this many vectors on, the index is approximate (IVF over 8-bit codes, re-ranked
# exactly): a flat scan is memory-bound, ~1.5 ms per 10k vectors a query, and holds every
# float vector in memory (see the scale section of docs/benchmarks.md).
# (QA_DENSE_APPROX_AT moves it: qa/settings.py)
APPROX_THRESHOLD = current().dense_approx_at


@dataclass(frozen=True)
class DenseParams:
    """How the vectors are searched; recorded in the index manifest.

    kind "flat": exact inner product over every vector.
    kind "ivf_sq8": an inverted file of ``nlist`` k-means cells holding 8-bit scalar-
        quantised residuals (a quarter of the float size); a query scans ``nprobe``
        cells for ``rerank`` candidates, then re-scores those exactly from the float
        vectors, which stay memory-mapped on disk and are only touched row by row.
    kind "hnsw": a graph over float vectors (older indexes; still readable).
    """
    kind: str = "flat"
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    nlist: int = 0
    nprobe: int = 0
    rerank: int = 0
    train_size: int = 0

    def to_dict(self) -> dict:
        return {**asdict(self), "metric": "inner_product"}

    @classmethod
    def from_dict(cls, d: dict) -> "DenseParams":
        """Manifest values; fields an older manifest lacks take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def for_size(cls, n: int, threshold: int | None = None) -> "DenseParams":
        """Exact below ``threshold`` vectors (default APPROX_THRESHOLD), IVF-SQ8 above."""
        if n < (APPROX_THRESHOLD if threshold is None else threshold):
            return cls()
        # ~2 sqrt(n) cells (a power of two), 40 training points per cell (faiss's guidance);
        # probe cells holding ~32k vectors in all, then re-rank 200 exactly: recall@10
        # 0.98-0.99 against exact search at 100k and 1M (docs/benchmarks.md, scale).
        nlist = int(min(8192, max(16, 2 ** round(np.log2(2 * np.sqrt(n))))))
        nprobe = int(min(nlist, max(8, 2 ** round(np.log2(32768 * nlist / n)))))
        return cls(kind="ivf_sq8", nlist=nlist, nprobe=nprobe, rerank=200, train_size=min(n, 40 * nlist))


class DenseIndex:
    """Unit vectors in faiss, searched by inner product (= cosine)."""

    def __init__(self, vectors: np.ndarray, params: DenseParams, faiss_index=None):
        self.vectors = vectors
        self.params = params
        if faiss_index is None:
            faiss_index = self._make(vectors, params)
        if params.kind == "hnsw":
            faiss_index.hnsw.efSearch = params.ef_search
        elif params.kind == "ivf_sq8":
            faiss_index.nprobe = params.nprobe
        self.faiss = faiss_index

    @staticmethod
    def _make(vectors: np.ndarray, params: DenseParams):
        import faiss

        d = vectors.shape[1]
        if params.kind == "ivf_sq8":
            idx = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(d), d, params.nlist,
                                                faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            rows = np.sort(np.random.default_rng(0).choice(len(vectors), params.train_size, replace=False))
            idx.train(np.ascontiguousarray(vectors[rows], dtype=np.float32))
        elif params.kind == "hnsw":
            idx = faiss.IndexHNSWFlat(d, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = params.ef_construction
        else:
            idx = faiss.IndexFlatIP(d)
        _add_chunked(idx, vectors)
        return idx

    @classmethod
    def build(cls, vectors: np.ndarray, params: DenseParams | None = None,
              threshold: int | None = None) -> "DenseIndex":
        return cls(vectors, params or DenseParams.for_size(len(vectors), threshold))

    def add(self, new: np.ndarray, threshold: int | None = None) -> "DenseIndex":
        """This index with ``new`` vectors appended (ids continue). A flat index is rebuilt
        (milliseconds); a trained IVF index keeps its cells and only files the new
        vectors; crossing the size threshold builds the approximate index afresh."""
        vectors = np.concatenate([np.asarray(self.vectors, np.float32), np.asarray(new, np.float32)])
        params = DenseParams.for_size(len(vectors), threshold)
        if params.kind == "flat" or params.kind != self.params.kind:
            return DenseIndex(vectors, params)
        _add_chunked(self.faiss, new)
        return DenseIndex(vectors, self.params, self.faiss)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, cosine), best first. ``allowed``, a boolean mask over the vectors,
        restricts the search inside faiss (an ID selector), so a filter costs about what
        an unfiltered search does instead of a scan of every allowed vector."""
        k = min(k, self.faiss.ntotal)
        params, bits = None, None
        if allowed is not None:
            n_ok = int(np.count_nonzero(allowed))
            k = min(k, n_ok)
            if k > 0:
                params, bits = self._selector(np.asarray(allowed, bool), n_ok)
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        q = np.asarray(query, np.float32).reshape(1, -1)
        if self.params.kind != "ivf_sq8":
            sims, ids = _one_thread(self.faiss.search, q, k, params=params)
            keep = ids[0] >= 0
            return ids[0][keep], sims[0][keep]
        _, ids = _one_thread(self.faiss.search, q, min(self.faiss.ntotal, max(2 * k, self.params.rerank)),
                             params=params)
        del bits                                   # the selector reads it until here
        ids = np.sort(ids[0][ids[0] >= 0])        # file order: rows read forwards
        sims = np.asarray(self.vectors[ids]) @ q[0]
        top = np.argsort(-sims, kind="stable")[:k]   # ties: lower id first
        return ids[top], sims[top]

    def _selector(self, allowed: np.ndarray, n_ok: int):
        import faiss

        bits = np.packbits(allowed, bitorder="little")   # must outlive the search
        sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
        p = self.params
        if p.kind == "ivf_sq8":
            # A filter leaves only a share of each cell: probe proportionally more cells
            # so about as many allowed vectors are scanned as an unfiltered search scans.
            share = n_ok / max(1, self.faiss.ntotal)
            return faiss.SearchParametersIVF(sel=sel, nprobe=int(min(p.nlist, np.ceil(p.nprobe / share)))), bits
        if p.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=sel, efSearch=p.ef_search), bits
        return faiss.SearchParameters(sel=sel), bits

    def save(self, folder: Path) -> list[str]:
        import faiss

        np.save(folder / "vectors.npy", np.asarray(self.vectors, np.float32), allow_pickle=False)
        if self.params.kind == "flat":
            return ["vectors.npy"]   # a flat index is rebuilt from the vectors in milliseconds
        faiss.write_index(self.faiss, str(folder / "dense.faiss"))
        return ["vectors.npy", "dense.faiss"]

    @classmethod
    def load(cls, folder: Path, params: DenseParams) -> "DenseIndex":
        import faiss

        vectors = open_rows(folder / "vectors.npy")
        idx = faiss.read_index(str(folder / "dense.faiss")) if params.kind != "flat" else None
        return cls(vectors, params, idx)


class RowFile:
    """The rows of a .npy matrix on disk, read on demand with pread: what serving needs of
    the float vectors (re-ranking, features) costs a few hundred rows a question, and the
    process holds none of the file. A memory map would do the same reads, but every row
    faulted in maps a whole page-cache folio (up to ~1 MB), which counts in the process's
    RSS: serving 1M vectors grew ~300 MB per question that way.

    Indexing like a 2-d array (int, slice, integer or boolean array) returns numpy arrays;
    ``np.asarray(rows)`` reads everything."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            self._offset = f.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: expected a C-ordered matrix")
        self.path, self.shape, self.dtype, self.ndim = Path(path), tuple(shape), np.dtype(dtype), 2
        self._row = self.shape[1] * self.dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def __del__(self):
        fd, self._fd = getattr(self, "_fd", None), None
        if fd is not None:
            os.close(fd)

    def _read(self, start: int, stop: int) -> np.ndarray:
        out = np.empty((max(0, stop - start), self.shape[1]), self.dtype)
        if len(out) and os.preadv(self._fd, [out], self._offset + start * self._row) != out.nbytes:
            raise OSError(f"{self.path}: short read")
        return out

    def __getitem__(self, key) -> np.ndarray:
        n = self.shape[0]
        if isinstance(key, (int, np.integer)):
            i = int(key) + (n if key < 0 else 0)
            if not 0 <= i < n:
                raise IndexError(f"row {key} out of range for {n} rows")
            return self._read(i, i + 1)[0]
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(n)
            return self._read(start, stop)
        idx = np.arange(n)[key] if isinstance(key, slice) else np.asarray(key)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = np.where(idx < 0, idx + n, idx).astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"row index out of range for {n} rows")
        if idx.size == 0:
            return np.empty(idx.shape + (self.shape[1],), self.dtype)
        rows, inv = np.unique(idx.ravel(), return_inverse=True)
        buf = np.empty((len(rows), self.shape[1]), self.dtype)
        cut = np.flatnonzero(np.diff(rows) != 1) + 1          # runs of consecutive rows: one read each
        if len(cut) < 256 or rows[-1] - rows[0] > 8 * len(rows):   # sparse: one read per run
            fd, off, size, want = self._fd, self._offset, self._row, 0
            starts, ends = [0, *cut.tolist()], [*cut.tolist(), len(rows)]
            first = rows[starts].tolist()
            for a, b, r in zip(starts, ends, first):     # straight into place: no temporaries
                want += os.preadv(fd, [buf[a:b]], off + r * size) - (b - a) * size
            if want:
                raise OSError(f"{self.path}: short read")
        else:                                  # dense: read the span in blocks, keep the rows wanted
            step = max(1, (16 << 20) // self._row)
            for start in range(int(rows[0]), int(rows[-1]) + 1, step):
                a, b = np.searchsorted(rows, [start, start + step])
                if b > a:
                    buf[a:b] = self._read(start, int(rows[b - 1]) + 1)[rows[a:b] - start]
        return buf[inv].reshape(idx.shape + (self.shape[1],))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        out = self._read(0, self.shape[0])
        return out if dtype is None else out.astype(dtype, copy=False)


def open_rows(path: Path) -> RowFile:
    """Rows of a saved matrix, read on demand (see RowFile)."""
    return RowFile(path)


def _one_thread(fn, *args, **kwargs):
    """Run a one-query faiss call on the calling thread alone. faiss splits a single
    query's scan across OpenMP threads, and waking passive (sleeping) threads costs more
    than the scan: a flat search over 10k vectors took 1.95 ms with two threads and
    0.57 ms with one (SQuAD pool, 300 queries). The setting is the calling thread's own
    (OpenMP keeps it per thread), and it is put back, so batch work (training, adding)
    keeps every core."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        return fn(*args, **kwargs)
    finally:
        faiss.omp_set_num_threads(before)


def _add_chunked(idx, vectors: np.ndarray, chunk: int = 65536) -> None:
    """Add in slices: a memory-mapped matrix is never copied whole."""
    for s in range(0, len(vectors), chunk):
        idx.add(np.ascontiguousarray(vectors[s:s + chunk], dtype=np.float32))
