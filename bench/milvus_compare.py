"""In-process retrieval against Milvus Lite, side by side in one run (issue #14).

    .venv/bin/python bench/milvus_compare.py --json .cache/bench-milvus.json [--pool DIR]

quality  the seed questions (qa.evaluation.evaluate.evaluate: hit@1, MRR@10, accuracy) and a
         ReQA-SQuAD subsample (--squad-questions of the --split half; bench/reqa_squad.py's
         pool, gold and ranx scoring: R@1 = hit@1, MRR@10), each with the in-process
         retriever and with Milvus Lite (both BM25 analyzers), over the same local index.
scale    --size synthetic sentences (bench/scale_data.py: SQuAD text grown with Zipf words,
         corpus vectors = real SQuAD sentence vectors plus noise): the local index build,
         then the Milvus Lite build; then, each in a fresh process, load + warm up and
         ask() --asks SQuAD questions --passes times (question vectors primed, so the
         figures are retrieval + scoring): p50/p95 and RSS (Milvus: this process plus the
         Milvus Lite process).
Everything lands under --work (default .cache/milvus-compare), never in ./index.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from common import index_pool, run_details  # noqa: E402  (also sets the offline environment)

import numpy as np  # noqa: E402

from scale_compare import over_passes, peak_rss_mb, rss_now_mb  # noqa: E402

DEFAULT_SQUAD = ROOT.parent / "shared" / "data" / "squad" / "dev-v1.1.json"
ANALYZERS = ("english", "qa")


def milvus_assistant(base, uri: str):
    """An Assistant over ``base``'s index and model whose candidates come from ``uri``."""
    from qa.answer.engine import Assistant
    from qa.milvus import MilvusRetriever, MilvusSettings

    a = Assistant.from_built(base.built, base.encoder, base.config)
    a.index_dir = getattr(base, "index_dir", None)
    a.retriever = MilvusRetriever(a, MilvusSettings(uri))
    return a.warm_up()


def timed_build(built, uri: str, analyzer: str, dense_index: str | None = None) -> tuple[float, str]:
    """Seconds to build the collection (until every row is searchable), and its dense index type."""
    from qa.milvus import MilvusSettings, build

    t = time.perf_counter()
    summary = build(built, MilvusSettings(uri), analyzer=analyzer, dense_index=dense_index)
    return round(time.perf_counter() - t, 2), summary["dense_index"]


# ---------------------------------------------------------------- quality
def quality_seeds(work: Path, questions: str, encoder) -> dict:
    from qa.answer.engine import Assistant
    from qa.evaluation.evaluate import evaluate, load_questions
    from qa.index.indexing import build_index

    idx = work / "seeds-index"
    build_index([str(ROOT / "seeds")], idx, model=encoder, progress=False)
    base = Assistant(idx)
    base.encoder = encoder
    qs = load_questions(questions)
    runs = {"in-process": base}
    out: dict = {"questions": len(qs), "build_s": {}}
    for an in ANALYZERS:
        uri = str(work / f"seeds-{an}.db")
        out["build_s"][an] = timed_build(base.built, uri, an)[0]
        runs[f"milvus-lite ({an})"] = milvus_assistant(base, uri)
    reports = {name: evaluate(a, qs, progress=False) for name, a in runs.items()}
    ref = reports["in-process"]["questions"]
    for name, rep in reports.items():
        m = rep["metrics"]
        differ = sum(1 for x, y in zip(ref, rep["questions"]) if (x["correct"], x["rank"]) != (y["correct"], y["rank"]))
        out[name] = {"hit@1": m["hit@1"], "mrr@10": m["mrr@10"], "accuracy": m["accuracy"],
                     "questions_answered_differently": differ}
    for a in runs.values():
        getattr(a.retriever, "close", lambda **_: None)(stop_lite=True)
    return out


def quality_squad(work: Path, args, encoder) -> dict:
    from qa.answer.engine import Assistant
    from reqa_squad import candidate_keys, gold_rows, load_squad, score, select, top_unique

    articles, questions = load_squad(args.squad)
    questions = select(questions, args.split, args.squad_questions)
    built, _ = index_pool(articles, encoder, args.pool or str(work / "squad-pool"), not args.quiet)
    base = Assistant.from_built(built, encoder)
    keys = candidate_keys(built)
    golds, ids = gold_rows(built, questions, keys), [q.qid for q in questions]
    encoder.prime([q.text.strip() for q in questions])
    runs = {"in-process": base}
    out: dict = {"pool_sentences": len(built.tables.sent_ids), "questions": len(questions),
                 "split": args.split, "build_s": {}}
    for an in ANALYZERS:
        uri = str(work / f"squad-{an}.db")
        out["build_s"][an] = timed_build(built, uri, an)[0]
        runs[f"milvus-lite ({an})"] = milvus_assistant(base, uri)
    for name, a in runs.items():
        t = time.perf_counter()
        ranked = [top_unique(a.rank(q.text)[0], keys) for q in questions]
        out[name] = {**score(golds, ranked, ids), "rank_ms_mean": round(1000 * (time.perf_counter() - t) / len(ids), 2)}
        getattr(a.retriever, "close", lambda **_: None)(stop_lite=True)
    return out


# ---------------------------------------------------------------- scale
def scale_build(work: Path, args) -> dict:
    """The local index at --size (synthetic corpus vectors), then the Milvus collection."""
    from qa.ingest import corpus
    from qa.index import store
    from qa.index.build import build
    from qa.index.encoder import Encoder
    from qa.index.store import live_generation
    from scale_data import SyntheticEncoder, write_corpus

    src, idx = work / f"corpus-{args.size}.jsonl", work / f"index-{args.size}"
    write_corpus(args.squad, args.size, src)
    base = np.load(live_generation(args.pool or work / "squad-pool") / "vectors.npy")
    enc = SyntheticEncoder(base, Encoder().name)
    t = time.perf_counter()
    built = build(corpus.load([str(src)]).articles, enc)
    store.save(built, idx, enc.name, int(built.dense.vectors.shape[1]))
    local_s = time.perf_counter() - t
    built = store.load(idx, verify=False)[0]
    milvus_s, dense = timed_build(built, str(work / f"scale-{args.size}.db"), args.analyzer,
                                  None if args.dense_index == "auto" else args.dense_index)
    return {"sentences": len(built.tables.sent_ids), "articles": len(built.articles),
            "in_process_build_s": round(local_s, 1), "milvus_lite_build_s": milvus_s,
            "milvus_analyzer": args.analyzer, "milvus_dense_index": dense,
            "in_process_dense": built.dense.params.to_dict()}


def _child_rss_mb() -> float:
    """RSS of this process's children (the Milvus Lite server)."""
    total = 0.0
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                st = (p / "status").read_text()
            except OSError:
                continue
            fields = dict(ln.split(":", 1) for ln in st.splitlines() if ":" in ln)
            if fields.get("PPid", "").strip() == str(os.getpid()):
                total += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024.0
    return total


def scale_serve(work: Path, args, backend: str) -> dict:
    from qa.answer.engine import Assistant
    from scale_data import SOURCES, load_squad

    t0 = time.perf_counter()
    a = Assistant(work / f"index-{args.size}")
    if backend == "milvus-lite":
        a = milvus_assistant(a.warm_up(), str(work / f"scale-{args.size}.db"))
    a.warm_up()
    load_s = time.perf_counter() - t0
    qs = load_squad(args.squad)[1]
    qs = [qs[i] for i in sorted(np.random.default_rng(1).choice(len(qs), args.asks, replace=False))]
    a.encoder.prime(qs)
    passes = []
    for _ in range(args.passes):
        times = []
        for q in qs:
            t = time.perf_counter()
            a.ask(q)
            times.append(time.perf_counter() - t)
        passes.append(times)
    filt = []
    for q in qs[:50]:
        t = time.perf_counter()
        a.ask(q, filters={"sources": [SOURCES[0]], "date_from": "2015-01-01"})
        filt.append(time.perf_counter() - t)
    child, rss, peak = _child_rss_mb(), rss_now_mb(), peak_rss_mb()
    return {"backend": backend, "load_and_warm_up_s": round(load_s, 1), "ask": over_passes(passes),
            "ask_filtered": over_passes([filt]), "rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1),
            "milvus_lite_rss_mb": round(child, 1), "total_rss_mb": round(rss + child, 1),
            "dense_recall@100": dense_recall(a, qs[:50], backend)}


def dense_recall(a, qs: list[str], backend: str) -> float:
    """Share of the exact top 100 (numpy over the stored vectors) that the backend's dense
    search returns in its top 100. Run after the RSS readings: it reads every vector."""
    vecs = np.asarray(a.built.dense.vectors, np.float32)
    hits = 0
    for q in qs:
        qv = a.encoder.encode_query(q)
        exact = np.argpartition(-(vecs @ qv), 100)[:100]
        got = (a.retriever.collection.search_dense(qv, 100) if backend == "milvus-lite"
               else a.built.dense.search(qv, 100)[0])
        hits += len(np.intersect1d(exact, got))
    return round(hits / (100 * len(qs)), 4)


def in_child(stage: str, args) -> dict:
    """Run a scale stage in a fresh process (clean RSS) and read its JSON back."""
    out = Path(args.work) / f"{stage}.json"
    cmd = [sys.executable, __file__, "--_stage", stage, "--work", args.work, "--squad", str(args.squad),
           "--size", str(args.size), "--asks", str(args.asks), "--passes", str(args.passes),
           "--analyzer", args.analyzer, "--dense-index", args.dense_index, *(["--pool", args.pool] if args.pool else [])]
    subprocess.run(cmd, check=True, cwd=ROOT)
    return json.loads(out.read_text("utf-8"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stages", default="quality,scale")
    p.add_argument("--work", default=str(ROOT / ".cache" / "milvus-compare"))
    p.add_argument("--questions", default=str(ROOT / "seeds" / "questions.jsonl"))
    p.add_argument("--squad", default=str(DEFAULT_SQUAD))
    p.add_argument("--squad-questions", type=int, default=1000)
    p.add_argument("--split", choices=["even", "odd", "all"], default="odd")
    p.add_argument("--pool", help="ReQA-SQuAD pool index folder: loaded if present, else built and saved there")
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--asks", type=int, default=200)
    p.add_argument("--passes", type=int, default=2)
    p.add_argument("--analyzer", choices=ANALYZERS, default="english", help="Milvus BM25 analyzer at --size")
    p.add_argument("--dense-index", default="auto",
                   help="Milvus dense index type at --size (auto: FLAT below QA_DENSE_APPROX_AT, else IVF_FLAT on Lite)")
    p.add_argument("--json")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--_stage", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args._stage:
        res = scale_build(work, args) if args._stage == "scale-build" else \
            scale_serve(work, args, args._stage.removeprefix("serve-"))
        (work / f"{args._stage}.json").write_text(json.dumps(res, indent=2), "utf-8")
        return 0
    from qa.index.encoder import Encoder

    stages = set(args.stages.split(","))
    out: dict = {"command": " ".join(["bench/milvus_compare.py", *(argv if argv is not None else sys.argv[1:])]),
                 "loadavg_start": os.getloadavg()}
    if "quality" in stages:
        enc = Encoder().warm_up()
        t = time.perf_counter()
        out["seeds"] = quality_seeds(work, args.questions, enc)
        out["reqa_squad"] = quality_squad(work, args, enc)
        out["quality_s"] = round(time.perf_counter() - t, 1)
        out.update(run_details(milvus_free_assistant(enc)))
    if "scale" in stages:
        out["scale"] = {"build": in_child("scale-build", args),
                        **{b: in_child(f"serve-{b}", args) for b in ("in-process", "milvus-lite")}}
    out["loadavg_end"] = os.getloadavg()
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", "utf-8")
    return 0


def milvus_free_assistant(encoder):
    """run_details reads only the config and the encoder's threads."""
    from qa.answer.engine import AskConfig

    return type("A", (), {"config": AskConfig(), "encoder": encoder})()


if __name__ == "__main__":
    sys.exit(main())
