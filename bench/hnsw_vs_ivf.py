"""How long faiss HNSW takes to build next to the IVF-SQ8 index qa uses, on the vectors
of a bench/scale.py index (one process, same vectors, same real question vectors).

    .venv/bin/python bench/hnsw_vs_ivf.py .cache/scale/100000/index .cache/scale/qvecs-200.npy
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main(index: str, qvecs: str) -> dict:
    import faiss

    from qa.index.dense import DenseIndex, DenseParams
    from qa.index.store import live_generation
    from scale_compare import exact_top

    vecs = np.load(live_generation(index) / "vectors.npy")
    qv = np.load(qvecs)
    truth = exact_top(vecs, qv)
    out = {"vectors": len(vecs), "faiss_threads": faiss.omp_get_max_threads()}
    builds = {"ivf_sq8": lambda: DenseIndex(vecs, DenseParams.for_size(len(vecs), threshold=0)),
              "hnsw_flat_m32_efc80": lambda: DenseIndex(vecs, DenseParams(kind="hnsw"))}
    for name, make in builds.items():
        t0 = time.perf_counter()
        idx = make()
        build_s = time.perf_counter() - t0
        times, rec = [], []
        for i, q in enumerate(qv):
            t0 = time.perf_counter()
            ids, _ = idx.search(q, 10)
            times.append(time.perf_counter() - t0)
            rec.append(len(set(ids.tolist()) & set(truth[i].tolist())) / 10)
        out[name] = {"build_s": build_s, "recall_at_10": float(np.mean(rec)),
                     "search_p50_ms": float(np.median(times)) * 1000, "params": idx.params.to_dict()}
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), indent=2))
