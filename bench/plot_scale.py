"""Plot and document the results of bench/scale.py.

    .venv/bin/python bench/plot_scale.py RESULTS.json [--png docs/scale.png] [--docs docs/benchmarks.md]

Writes a log-log plot (latency and memory against corpus size) and the scale section of
docs/benchmarks.md, between its `<!-- section: scale ... -->` and `<!-- end: scale -->`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ask_latency import write_section  # noqa: E402


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d


def plot(res: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = {int(n): v for n, v in res["sizes"].items()}
    xs = sorted(sizes)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    lat = [("ask() excl. question encoding", "serve", "ask_excl_encode"), ("question encoding", "serve", "question_encode"),
           ("dense search (served index)", "serve", "dense"), ("BM25 top-100", "serve", "bm25")]
    for label, stage, key in lat:
        pts = [(n, _get(sizes[n], stage, key, "p50_ms")) for n in xs]
        pts = [(n, y) for n, y in pts if y]
        if pts:
            ax1.plot(*zip(*pts), marker="o", label=label)
    pts = [(n, _get(sizes[n], "compare", "bm25", "rank_bm25_get_scores", "p50_ms")) for n in xs]
    pts = [(n, y) for n, y in pts if y]
    if pts:
        ax1.plot(*zip(*pts), marker="x", linestyle="--", label="rank_bm25 get_scores")
    ax1.set(xscale="log", yscale="log", xlabel="sentences", ylabel="median latency (ms)", title="Query latency")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(fontsize=8)
    mem = [("peak RSS serving", "serve", "peak_rss_mb"), ("peak RSS building", "build", "peak_rss_mb"),
           ("index on disk", "build", "disk_mb")]
    for label, stage, key in mem:
        pts = [(n, _get(sizes[n], stage, key)) for n in xs]
        pts = [(n, y) for n, y in pts if y]
        if pts:
            ax2.plot(*zip(*pts), marker="o", label=label)
    ax2.axhline(3072, color="grey", linestyle=":", label="3 GB serving target")
    ax2.set(xscale="log", yscale="log", xlabel="sentences", ylabel="MB", title="Memory and disk")
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)


def _f(x, fmt="{:.1f}", none="–"):
    return none if x is None else fmt.format(x)


def _lat(s: dict, key: str) -> str:
    d = _get(s, "serve", key)
    if not d:
        return "–"
    lo, hi = d["p50_spread_ms"]
    return f"{d['p50_ms']:.2f} / {d['p95_ms']:.2f} ({lo:.2f}–{hi:.2f})"


def build_table(sizes: dict, rate: float | None) -> list[str]:
    out = ["| sentences | articles | segment s | BM25 s | encoding s | dense index s (kind) | save s | "
           "disk MB | build peak RSS MB |", "|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for n, s in sizes.items():
        b = s.get("build")
        if not b:
            continue
        if b["encode_sentences_per_s"]:
            enc = f"{b['encode_s']:.0f} (real, {b['encode_sentences_per_s']:.0f}/s)"
        else:
            est = f"; real ≈ {b['sentences'] / rate / 3600:.1f} h at the 10k rate" if rate else ""
            enc = f"{b['encode_s']:.0f} (synthetic{est})"
        out.append(f"| {b['sentences']:,} | {b['articles']:,} | {b['segment_s']:.1f} | {b['bm25_s']:.1f} | {enc} | "
                   f"{b['dense_index_s']:.1f} ({b['dense']['kind']}) | {b['save_s']:.1f} | {b['disk_mb']:.0f} | "
                   f"{b['peak_rss_mb']:.0f} |")
    return out


def serve_table(sizes: dict) -> list[str]:
    out = ["| sentences | load index s | BM25 top-100 | dense top-100 | question encoding | ask() excl. encoding "
           "| RSS after load MB | peak RSS serving MB |", "|---:|---:|---|---|---|---|---:|---:|"]
    for n, s in sizes.items():
        v = s.get("serve")
        if not v:
            continue
        out.append(f"| {int(n):,} | {v['load_index_s']:.1f} | {_lat(s, 'bm25')} | {_lat(s, 'dense')} | "
                   f"{_lat(s, 'question_encode')} | {_lat(s, 'ask_excl_encode')} | {v['rss_after_load_mb']:.0f} | "
                   f"{v['peak_rss_mb']:.0f} |")
    return out


def bm25_table(sizes: dict) -> list[str]:
    out = ["| sentences | qa get_scores | rank_bm25 get_scores (queries) | speed-up vs rank_bm25 | max abs diff | "
           "bm25s get_scores | qa top-10 | bm25s retrieve top-10 | qa vs bm25s (full / top-10) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, s in sizes.items():
        c = _get(s, "compare", "bm25")
        if not c:
            continue
        out.append(f"| {int(n):,} | {c['qa_get_scores']['p50_ms']:.3f} | {c['rank_bm25_get_scores']['p50_ms']:.1f} "
                   f"({c['rank_bm25_queries']}) | **{c['bm25_speedup_vs_rank_bm25']:.0f}×** | "
                   f"{c['bm25_max_abs_diff_vs_rank_bm25']:.1e} | {c['bm25s_get_scores']['p50_ms']:.3f} | "
                   f"{c['qa_search_top10']['p50_ms']:.3f} | {c['bm25s_retrieve_top10']['p50_ms']:.3f} | "
                   f"{c['bm25_speedup_vs_bm25s_get_scores']:.2f}× / {c['bm25_speedup_vs_bm25s_top10']:.2f}× |")
    return out


def dense_table(sizes: dict) -> list[str]:
    out = ["| sentences | served index | params | recall@10 vs faiss flat | recall@10 vs numpy exact | "
           "served p50 ms | flat p50 ms |", "|---:|---|---|---:|---:|---:|---:|"]
    for n, s in sizes.items():
        d = _get(s, "compare", "dense")
        if not d:
            continue
        p = d["params"]
        ps = f"nlist {p['nlist']}, nprobe {p['nprobe']}, rerank {p['rerank']}" if p["kind"] == "ivf_sq8" else "exact"
        out.append(f"| {int(n):,} | {d['kind']} | {ps} | {_f(d['served'].get('recall_at_10_vs_flat'), '{:.3f}')} | "
                   f"{d['served']['recall_at_10']:.3f} | "
                   f"{d['served']['p50_ms']:.2f} | {d['flat']['p50_ms']:.2f} |")
    return out


def sweep_lines(sizes: dict) -> list[str]:
    out = []
    for n, s in sizes.items():
        sw = _get(s, "compare", "dense", "sweep")
        if sw:
            out += ["", f"IVF-SQ8 settings at {int(n):,} sentences (recall@10 vs exact, p50 ms):", "",
                    "| setting | recall@10 | p50 ms |", "|---|---:|---:|"]
            out += [f"| {k} | {v['recall_at_10']:.3f} | {v['p50_ms']:.2f} |" for k, v in sw.items()]
    return out


def filtered_table(sizes: dict) -> list[str]:
    out = ["| sentences | filter | allowed sentences | ask() p50 ms, current `_dense_top` | ask() p50 ms, proposed | "
           "same top answer |", "|---:|---|---:|---:|---:|---:|"]
    for n, s in sizes.items():
        for name, r in (_get(s, "serve", "filtered_asks") or {}).items():
            out.append(f"| {int(n):,} | {name} | {r['allowed_sentences']:,} | {r['current_p50_ms']:.1f} | "
                       f"{r['proposed_p50_ms']:.1f} | {r['same_top_answers']:.0%} |")
    return out if len(out) > 2 else []


def targets(sizes: dict) -> list[str]:
    def g(n, *k):
        return _get(sizes.get(str(n), {}), *k)

    def mark(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    sp100 = g(100000, "compare", "bm25", "bm25_speedup_vs_rank_bm25")
    vs_bm25s = g(1000000, "compare", "bm25", "bm25_speedup_vs_bm25s_top10")
    rec = g(1000000, "compare", "dense", "served", "recall_at_10_vs_flat")
    ask = g(1000000, "serve", "ask_excl_encode", "p50_ms")
    rss = g(1000000, "serve", "peak_rss_mb")
    cpu = g(10000, "cli", "qa_index_over_bare_cpu_per_run")
    cli = float(sorted(cpu)[len(cpu) // 2]) if cpu else g(10000, "cli", "qa_index_over_bare_encode")
    add = g(100000, "add", "in_process_excl_encode_median_s")
    return [
        "| target | measured | |", "|---|---|---|",
        f"| exact BM25 ≥ 200× rank_bm25.get_scores at 100k | {_f(sp100, '{:.0f}×')} | {mark(sp100 and sp100 >= 200)} |",
        f"| BM25 top-10 no slower than bm25s at 1M | {_f(vs_bm25s, '{:.2f}× bm25s speed')} | "
        f"{mark(vs_bm25s and vs_bm25s >= 1)} |",
        f"| recall@10 vs flat ≥ 0.98 at 1M | {_f(rec, '{:.3f}')} | {mark(rec and rec >= 0.98)} |",
        f"| ask() median excl. encoding ≤ 30 ms at 1M | {_f(ask, '{:.1f} ms')} | {mark(ask and ask <= 30)} |",
        f"| peak RSS serving ≤ 3 GB at 1M | {_f(rss, '{:.0f} MB')} | {mark(rss and rss <= 3072)} |",
        f"| whole `qa index` ≤ 1.15× bare encoding at 10k (CPU time) | {_f(cli, '{:.2f}×')} | "
        f"{mark(cli and cli <= 1.15)} |",
        f"| `--add` one article to 100k: a few s + its encoding | {_f(add, '{:.1f} s + encoding')} | "
        f"{mark(add and add <= 5)} |",
    ]


def _loads(sizes: dict) -> str:
    """The 1-minute load averages recorded at the end of each stage (newer runs record them)."""
    vals = [st["loadavg_end"][0] for s in sizes.values() for st in s.values() if st and st.get("loadavg_end")]
    n = sum(1 for s in sizes.values() for st in s.values() if st)
    return (f"; 1-minute load average {min(vals):.1f}–{max(vals):.1f} at the end of the {len(vals)} of {n} stages "
            "that logged it, the others ran while other sessions' test suites and benchmarks were running"
            if vals else "")


def _join(xs, fmt: str = "{:.0f}") -> str:
    return ", ".join(fmt.format(x) for x in xs)


def extras(sizes: dict) -> list[str]:
    out = []
    c = _get(sizes.get("10000", {}), "cli")
    if c:
        bare = c["bare"]
        cpu = c.get("qa_index_over_bare_cpu_per_run")
        out += ["", f"**Index build bounded by the model** ({c['sentences']:,} sentences, {c['runs']} alternated "
                f"pairs of runs): a whole `qa index` (process start to exit) against a process that loads the "
                f"model and encodes the same sentences (bare). Wall seconds, qa index: "
                f"{_join(c['qa_index_wall_s'])}; bare: {_join(b['wall_s'] for b in bare)} (of which encoding "
                f"{_join(b['encode_s'] for b in bare)}). " + (
                    f"CPU seconds, qa index: {_join(c['qa_index_cpu_s'])}; bare: "
                    f"{_join(b['cpu_s'] for b in bare)}: **{_join(cpu, '{:.2f}')}×** per pair. " if cpu else "")
                + f"Wall-time ratio per pair: {_join(c.get('qa_index_over_bare_wall_per_run', []), '{:.2f}')}×; "
                f"other jobs on the machine moved wall times by 2× between runs, so the CPU-time ratio is the "
                f"one to read. {c['sentences_per_s_qa_index']:.0f} sentences/s end to end (median wall)."]
    a = _get(sizes.get("100000", {}), "add")
    if a:
        out += ["", f"**Incremental add** (one article, {a['article_sentences']} sentences, into a copy of the "
                f"100k index → {a['sentences_after']:,} sentences): in process with a loaded model "
                f"{', '.join(f'{x:.1f}' for x in a['in_process_s'])} s, of which the article's encoding is "
                f"{a['article_encode_s']:.2f} s: **{a['in_process_excl_encode_median_s']:.1f} s** besides encoding "
                f"(load + check the old index, extend BM25, append vectors, write and fsync a new generation). "
                f"As a whole `qa index --add` command: {', '.join(f'{x:.0f}' for x in a['cli_wall_s'])} s, most of it "
                f"Python start and the model's imports (see the cold-start table above). Nothing the index held "
                f"is re-encoded; tests/test_incremental.py shows the result equals a full rebuild."]
    for n, s in sizes.items():
        prof = _get(s, "serve", "profile_top")
        if prof:
            out += ["", f"cProfile of ask() at {int(n):,} sentences (50 questions, vectors cached; by own time):", "",
                    "```", *prof[:12], "```"]
    return out


def markdown(res: dict) -> str:
    sizes = {n: v for n, v in sorted(res["sizes"].items(), key=lambda kv: int(kv[0]))}
    rate = _get(sizes.get("10000", {}), "build", "encode_sentences_per_s")
    m = res["machine"]
    lines = [
        "## Scale: 10k, 100k and 1M sentences", "",
        f"Command: `.venv/bin/python {res['command']}`, then `.venv/bin/python bench/plot_scale.py RESULTS.json` "
        "(the run is resumable: stages were re-run with `--stages NAME --force --profile` after code changes, and "
        "this last invocation gathered their results). "
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['mem_gib']:.0f} GiB, Python {m['python']}; shared with other "
        f"jobs throughout{_loads(sizes)}; so absolute times are pessimistic and noisy: compare within a table "
        "(methods were interleaved question by question where compared).", "",
        "Corpus: SQuAD v1.1 dev paragraphs as articles; 10k is the real text, larger sizes repeat it with a third "
        "of the words swapped for words from a Zipf vocabulary (bench/scale_data.py). At 10k every vector is a "
        "real MiniLM encoding; at 100k and 1M the corpus vectors are synthetic — real 10k sentence vectors plus "
        "noise, unit length, 384-d, clustered — because encoding 1M sentences takes hours on 2 cores; questions "
        "are always encoded by the real model. Each stage of each size ran in a fresh process; latencies are "
        "medians over distinct SQuAD questions, each figure the median of the passes with the range of the "
        "pass medians in brackets.", "",
        "![latency and memory against corpus size](scale.png)", "",
        "### Targets", "", *targets(sizes), "",
        "### Build", "", *build_table(sizes, rate), "",
        "### Serving (a fresh process loads the saved index, then answers)", "",
        "Latencies in ms: p50 / p95 (range of per-pass p50).", "", *serve_table(sizes), "",
        "### BM25 against rank_bm25 and bm25s (same tokens, same queries, one process; ms p50)", "",
        *bm25_table(sizes), "",
        "### Dense: the size-chosen index against exact search", "", *dense_table(sizes), *sweep_lines(sizes),
        "", "### Filtered questions (20 questions, vectors cached)", "", *filtered_table(sizes),
        *extras(sizes),
    ]
    return "\n".join(lines) + "\n" + res.get("notes", "")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--png", default=str(ROOT / "docs" / "scale.png"))
    p.add_argument("--docs", default=str(ROOT / "docs" / "benchmarks.md"))
    p.add_argument("--notes", default=str(ROOT / "bench" / "scale_notes.md"),
                   help="a markdown file appended to the section (findings, proposals)")
    args = p.parse_args()
    res = json.loads(Path(args.results).read_text("utf-8"))
    if args.notes and Path(args.notes).is_file():
        res["notes"] = Path(args.notes).read_text("utf-8")
    plot(res, Path(args.png))
    write_section(Path(args.docs), "scale", markdown(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
