"""Scale benchmark: build and serve indexes of 10k, 100k and 1M sentences.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--squad PATH] [--json OUT]

Every stage of every size runs in a fresh subprocess (so peak RSS figures do not
contaminate each other) and leaves work/<size>/<stage>.json behind: a rerun skips what
is done (resumable; --force redoes). Stages:
  build    corpus -> index (BM25, encoding, dense index, lexicon timed apart), disk size, peak RSS
  serve    a process that loads the saved index and serves: load time, p50/p95 of BM25,
           dense, question encoding and ask() (encoding excluded; with the answer-model
           stage as configured and without it), the first ask(), peak RSS
  compare  qa BM25 vs rank_bm25.get_scores and bm25s (speed; max |score diff|), faiss
           flat vs the approximate index (recall@10), nprobe sweep
  cli      (10k) whole `qa index` vs bare encoding of the same sentences
  add      (100k) `qa index --add` of one article into a copy of the index
At 10k everything is real. At 100k and 1M the corpus side of the dense index uses
synthetic vectors shaped like real ones (bench/scale_data.py says how); questions are
always encoded by the real model.
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
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402

from scale_compare import children_cpu_s, dir_mb, over_passes, peak_rss_mb, rss_now_mb, stats_ms  # noqa: E402

DEFAULT_SQUAD = ROOT.parent / "shared" / "data" / "squad" / "dev-v1.1.json"
REAL_ENCODING_MAX = 20_000     # above this, the corpus side uses synthetic vectors


def real_base_vectors(work: Path) -> np.ndarray:
    """Real MiniLM vectors of SQuAD sentences: from the 10k index when it exists,
    else 2,000 sentences encoded now (cached)."""
    from qa.index.store import live_generation

    idx = work / "10000" / "index"
    if (idx / "CURRENT").exists():
        return np.load(live_generation(idx) / "vectors.npy")
    cache = work / "base-vectors.npy"
    if not cache.exists():
        from qa.index.build import segment
        from qa.ingest.corpus import load
        from qa.index.encoder import Encoder
        from scale_data import write_corpus

        corpus = work / "base-corpus.jsonl"
        write_corpus(ARGS.squad, 2000, corpus)
        _, texts = segment(load([str(corpus)]).articles)
        np.save(cache, Encoder().encode(texts))
    return np.load(cache)


def questions(n: int, seed: int = 1) -> list[str]:
    from scale_data import load_squad

    qs = load_squad(ARGS.squad)[1]
    rng = np.random.default_rng(seed)
    return [qs[i] for i in sorted(rng.choice(len(qs), n, replace=False))]


def question_vectors(work: Path, qs: list[str]) -> np.ndarray:
    """Real question vectors, cached across stages."""
    path = work / f"qvecs-{len(qs)}.npy"
    if not path.exists():
        from qa.index.encoder import Encoder

        np.save(path, Encoder().encode(qs))
    return np.load(path)


# ---------------------------------------------------------------- stages
def stage_build(n: int, work: Path) -> dict:
    """The steps of qa.index.build.build, timed one by one, then saved as `qa index` saves."""
    from qa.ingest import corpus
    from qa.index import store
    from qa.index.bm25 import BM25Index
    from qa.index.build import Built, embed, passage_vectors, segment
    from qa.index.dense import DenseIndex
    from qa.index.encoder import Encoder
    from qa.index.lexicon import Lexicon
    from qa.ingest.textnorm import Tokenizer
    from scale_data import SyntheticEncoder, write_corpus

    wd = work / str(n)
    src = wd / "corpus.jsonl"
    if not src.exists():
        write_corpus(ARGS.squad, n, src)
    real = n <= REAL_ENCODING_MAX
    if real:
        enc = Encoder().warm_up()
    else:
        enc = SyntheticEncoder(real_base_vectors(work), Encoder().name)
    t, tm = time.perf_counter, {}
    t0 = t()
    articles = corpus.load([str(src)]).articles
    tm["load_s"] = t() - t0
    t0 = t()
    tables, texts = segment(articles)
    tm["segment_s"] = t() - t0
    tok = Tokenizer()
    t0 = t()
    bm25_sent = BM25Index.build(tok(x) for x in texts)
    bm25_pass = BM25Index.build(tok(x) for x in tables.passage_tokens)
    tm["bm25_s"] = t() - t0
    t0 = t()
    vecs = embed(texts, tables.sent_ids, enc)
    tm["encode_s"] = t() - t0
    t0 = t()
    dense = DenseIndex.build(vecs)
    p_vecs = passage_vectors(vecs, tables.s_pass, len(tables.passage_ids))
    tm["dense_index_s"] = t() - t0
    t0 = t()
    lexicon = Lexicon.read(a.text for a in articles)     # names, initials, words (as build() does)
    tm["lexicon_s"] = t() - t0
    built = Built(articles, tables, bm25_sent, bm25_pass, dense, p_vecs, tok, bm25_sent.params, lexicon)
    t0 = t()
    store.save(built, wd / "index", enc.name, int(vecs.shape[1]))
    tm["save_s"] = t() - t0
    return {"sentences": len(texts), "passages": len(tables.passage_ids), "articles": len(articles),
            "encoding": "real (all-MiniLM-L6-v2)" if real else "synthetic corpus vectors (real question vectors)",
            "encode_sentences_per_s": len(texts) / tm["encode_s"] if real else None,
            "dense": dense.params.to_dict(), **tm,
            "total_s_excl_encode": sum(v for k, v in tm.items() if k != "encode_s"),
            "disk_mb": dir_mb(wd / "index"), "peak_rss_mb": peak_rss_mb()}


def stage_serve(n: int, work: Path) -> dict:
    """A fresh process loads the saved index and serves questions (the serving RSS)."""
    from dataclasses import replace

    from qa.answer.engine import Assistant
    from scale_compare import filtered_asks

    t0 = time.perf_counter()
    a = Assistant(work / str(n) / "index")
    b = a.built
    load_s = time.perf_counter() - t0
    a.warm_up()
    load_model_s = time.perf_counter() - t0 - load_s
    rss_loaded = rss_now_mb()
    qs = questions(ARGS.queries)
    # The first question pays what is read lazily (the lexicon's names and initials, the
    # typo reader's words): with lexicon.json stored, no article is read again.
    a.encoder.prime(qs[:1])
    t0 = time.perf_counter()
    a.ask(qs[0])
    first_ask_s = time.perf_counter() - t0
    tok = b.tokenizer
    # The answer-model stage reads at most a few sentences whatever the corpus size; ask()
    # is also timed without it (same index and encoder) to show how retrieval scales.
    off = Assistant.from_built(b, a.encoder, replace(a.config, rescore_weight=0.0))
    off.ask(qs[0])
    enc_t, bm_t, de_t, ask_t, off_t = [], [], [], [], []
    for p in range(ARGS.passes):
        e, bm, de, ak, ako = [], [], [], [], []
        for q in qs:
            t1 = time.perf_counter()
            qv = a.encoder.encode([q])[0]          # uncached: what a new question costs
            t2 = time.perf_counter()
            b.bm25_sent.search(tok(q), 100)
            t3 = time.perf_counter()
            b.dense.search(qv, 100)
            t4 = time.perf_counter()
            e.append(t2 - t1), bm.append(t3 - t2), de.append(t4 - t3)
        a.encoder.prime(qs)                       # ask() below: question encoding excluded
        for q in qs:                              # the stage on and off in turn, per question
            t1 = time.perf_counter()
            a.ask(q)
            t2 = time.perf_counter()
            off.ask(q)
            ak.append(t2 - t1), ako.append(time.perf_counter() - t2)
        enc_t.append(e), bm_t.append(bm), de_t.append(de), ask_t.append(ak), off_t.append(ako)
    prof = profile_ask(a, qs[:50]) if ARGS.profile else None
    peak = peak_rss_mb()                     # before the filtered asks, which read far more rows
    return {"filtered_asks": filtered_asks(a, qs[:20]), "load_index_s": load_s, "load_model_s": load_model_s, "rss_after_load_mb": rss_loaded,
            "first_ask_excl_encode_s": first_ask_s,
            "question_encode": over_passes(enc_t), "bm25": over_passes(bm_t), "dense": over_passes(de_t),
            "ask_excl_encode": over_passes(ask_t), "ask_excl_encode_stage_off": over_passes(off_t),
            "answer_model": a.rescorer_status, "peak_rss_mb": peak, "profile_top": prof,
            "dense_params": a.manifest.get("dense")}


def profile_ask(a, qs: list[str]) -> list[str]:
    """cProfile of ask() (question vectors cached): the 15 costliest functions."""
    import cProfile
    import io
    import pstats

    pr = cProfile.Profile()
    pr.enable()
    for q in qs:
        a.ask(q)
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(15)
    return [ln for ln in buf.getvalue().splitlines() if ln.strip()][-16:]


_BARE = """
import json, sys, time
t0 = time.perf_counter()
from qa.index.encoder import Encoder
enc = Encoder().warm_up()
t1 = time.perf_counter()
texts = json.load(open(sys.argv[1], encoding="utf-8"))
t2 = time.perf_counter()
enc.encode(texts)
t3 = time.perf_counter()
print(json.dumps({"load_model_s": t1 - t0, "encode_s": t3 - t2}))
"""


def stage_cli(n: int, work: Path) -> dict:
    """Whole `qa index` (start to exit) vs bare encoding of the same sentences, alternated."""
    from qa.index.store import load
    from scale_compare import sentence_texts

    wd = work / str(n)
    texts_file = wd / "texts.json"
    texts_file.write_text(json.dumps(sentence_texts(load(wd / "index", verify=False)[0])), "utf-8")
    py, qa = sys.executable, str(Path(sys.executable).parent / "qa")
    bare, whole, cpu = [], [], {"bare": [], "qa_index": []}
    for _ in range(ARGS.cli_runs):
        for name, cmd in (("bare", [py, "-c", _BARE, str(texts_file)]),
                          ("qa_index", [qa, "index", str(wd / "corpus.jsonl"), "--index", str(wd / "cli-index"),
                                        "--quiet"])):
            c0, t0 = children_cpu_s(), time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
            wall, cpu_s = time.perf_counter() - t0, children_cpu_s() - c0
            cpu[name].append(cpu_s)
            if name == "bare":
                bare.append({**json.loads(out.strip().splitlines()[-1]), "wall_s": wall, "cpu_s": cpu_s})
            else:
                whole.append(wall)
    enc = float(np.median([b["encode_s"] for b in bare]))
    proc = float(np.median([b["wall_s"] for b in bare]))
    return {"sentences": len(json.loads(texts_file.read_text("utf-8"))), "runs": ARGS.cli_runs,
            "bare": bare, "qa_index_wall_s": whole, "qa_index_cpu_s": cpu["qa_index"],
            "qa_index_over_bare_cpu_per_run": [q / b for q, b in zip(cpu["qa_index"], cpu["bare"])],
            "qa_index_over_bare_wall_per_run": [q / b["wall_s"] for q, b in zip(whole, bare)],
            "qa_index_over_bare_encode": float(np.median(whole)) / enc,
            "qa_index_over_bare_process": float(np.median(whole)) / proc,
            "sentences_per_s_qa_index": len(json.loads(texts_file.read_text("utf-8"))) / float(np.median(whole)),
            "sentences_per_s_bare_encode": len(json.loads(texts_file.read_text("utf-8"))) / enc}


def stage_add(n: int, work: Path) -> dict:
    """`qa index --add` of one article into a copy of the n-sentence index: in process
    (warm model; the article's own encoding timed apart) and as a whole CLI run."""
    import shutil

    from qa.index.build import segment
    from qa.ingest.corpus import load as load_corpus
    from qa.index.encoder import Encoder
    from qa.index.indexing import build_index
    from scale_data import load_squad

    wd = work / str(n)
    title, text = load_squad(ARGS.squad)[0][7]
    art = wd / "add-article.jsonl"
    art.write_text(json.dumps({"id": "added-1", "title": f"{title} (added)", "text": text + " This one is new.",
                               "source": "Added Gazette", "date": "2026-01-01"}) + "\n", "utf-8")
    _, texts = segment(load_corpus([str(art)]).articles)
    enc = Encoder().warm_up()
    enc.encode(texts)                                     # warm the model's first-call paths
    t0 = time.perf_counter()
    enc.encode(texts)
    encode_s = time.perf_counter() - t0
    runs, cli = [], []
    for r in range(ARGS.passes):
        dst = wd / f"add-index-{r}"
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(wd / "index", dst)
        t0 = time.perf_counter()
        summary = build_index([str(art)], dst, model=enc, add=True, progress=False)
        runs.append(time.perf_counter() - t0)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(wd / "index", dst)
        t0 = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "qa"), "index", str(art), "--index", str(dst), "--add",
                        "--quiet"], check=True, capture_output=True, cwd=ROOT)
        cli.append(time.perf_counter() - t0)
        shutil.rmtree(dst, ignore_errors=True)
    return {"article_sentences": len(texts), "sentences_after": summary["sentences"],
            "in_process_s": runs, "article_encode_s": encode_s,
            "in_process_median_s": float(np.median(runs)),
            "in_process_excl_encode_median_s": float(np.median(runs)) - encode_s,
            "cli_wall_s": cli, "cli_wall_median_s": float(np.median(cli))}


def stage_compare(n: int, work: Path) -> dict:
    from qa.index.store import load
    from scale_compare import compare_bm25, compare_dense, sentence_texts

    b = load(work / str(n) / "index", verify=False)[0]
    qs = questions(ARGS.queries)
    few = ARGS.rank_bm25_queries if n >= 1_000_000 else min(50, ARGS.queries)
    out = {"bm25": compare_bm25(b, sentence_texts(b), qs, few, stats_ms)}
    out["dense"] = compare_dense(b, question_vectors(work, qs), stats_ms)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


STAGES = {"build": stage_build, "serve": stage_serve, "compare": stage_compare, "cli": stage_cli,
          "add": stage_add}


def machine() -> dict:
    import platform

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) / 2**20 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), None)
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gib": mem, "python": platform.python_version(),
            "loadavg_at_start": os.getloadavg()}


def run_stage(stage: str, n: int, work: Path) -> dict | None:
    """Run one stage in a fresh process unless its result is already on disk."""
    out = work / str(n) / f"{stage}.json"
    if out.exists() and not ARGS.force:
        print(f"[scale] {n} {stage}: done before, skipped", file=sys.stderr)
        return json.loads(out.read_text("utf-8"))
    cmd = [sys.executable, __file__, "--_stage", stage, "--_size", str(n), "--work", str(work),
           "--squad", str(ARGS.squad), "--queries", str(ARGS.queries), "--passes", str(ARGS.passes),
           "--cli-runs", str(ARGS.cli_runs), "--rank-bm25-queries", str(ARGS.rank_bm25_queries),
           *(["--profile"] if ARGS.profile else [])]
    print(f"[scale] {n} {stage} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode != 0 or not out.exists():
        print(f"[scale] {n} {stage} FAILED (exit {proc.returncode})", file=sys.stderr)
        return None
    print(f"[scale] {n} {stage} done in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    return json.loads(out.read_text("utf-8"))


def stages_for(n: int) -> list[str]:
    extra = (["cli"] if n <= REAL_ENCODING_MAX else []) + (["add"] if n == ARGS.add_at else [])
    return ["build", "serve", "compare", *extra]


def main() -> int:
    global ARGS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--squad", default=str(DEFAULT_SQUAD))
    p.add_argument("--json", help="write every figure here")
    p.add_argument("--work", default=str(ROOT / ".cache" / "scale"), help="indexes and per-stage results")
    p.add_argument("--stages", help="only these stages (comma-separated)")
    p.add_argument("--force", action="store_true", help="redo stages already done")
    p.add_argument("--queries", type=int, default=200, help="distinct SQuAD questions per pass")
    p.add_argument("--passes", type=int, default=3, help="timing passes over the questions")
    p.add_argument("--cli-runs", type=int, default=2, help="`qa index` vs bare-encoding runs at 10k")
    p.add_argument("--rank-bm25-queries", type=int, default=3, help="rank_bm25 queries timed at 1M")
    p.add_argument("--add-at", type=int, default=100_000, help="size at which `--add` is measured")
    p.add_argument("--profile", action="store_true", help="cProfile ask() in the serve stage")
    p.add_argument("--_stage", help=argparse.SUPPRESS)
    p.add_argument("--_size", type=int, help=argparse.SUPPRESS)
    ARGS = p.parse_args()
    work = Path(ARGS.work)
    if ARGS._stage:
        (work / str(ARGS._size)).mkdir(parents=True, exist_ok=True)
        res = {**STAGES[ARGS._stage](ARGS._size, work), "loadavg_end": os.getloadavg()}
        (work / str(ARGS._size) / f"{ARGS._stage}.json").write_text(json.dumps(res, indent=2), "utf-8")
        return 0
    sizes = [int(s) for s in ARGS.sizes.split(",")]
    only = set(ARGS.stages.split(",")) if ARGS.stages else None
    results = {"machine": machine(), "command": " ".join(["bench/scale.py", *sys.argv[1:]]), "sizes": {}}
    for n in sorted(sizes):
        results["sizes"][str(n)] = {st: run_stage(st, n, work) for st in stages_for(n) if not only or st in only}
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    if ARGS.json:
        Path(ARGS.json).parent.mkdir(parents=True, exist_ok=True)
        Path(ARGS.json).write_text(json.dumps(results, indent=2), "utf-8")
    print(json.dumps({n: {st: bool(r) for st, r in v.items()} for n, v in results["sizes"].items()}))
    return 0


ARGS = argparse.Namespace()

if __name__ == "__main__":
    sys.exit(main())
