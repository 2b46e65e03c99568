"""Warm ask() latency against the encoding of the question alone, and cold start of
`qa ask`, on the seed corpus.

    .venv/bin/python bench/ask_latency.py [--reps 5] [--cold-runs 5] [--json OUT] [--docs docs/benchmarks.md]

Warm: one process, model loaded. Each question is timed four ways, interleaved so
machine noise hits all alike: encode_query with its cache emptied (what a new question
costs), ask() with the cache emptied (the target: median ask <= 1.3 x median encode),
then ask() and encode_query again with the vector cached. Questions with a history are
reported apart: a follow-up encodes twice (the earlier turn is re-ranked too).
Cold: `qa ask` as a subprocess, process start to printed answer; a phase breakdown
(imports, index load, model load, first ask) and `python -X importtime` top imports.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402


def ms(xs) -> dict:
    a = np.asarray(xs, np.float64) * 1000
    return {"p50_ms": float(np.median(a)), "p95_ms": float(np.percentile(a, 95)), "min_ms": float(a.min()),
            "max_ms": float(a.max()), "n": int(len(a))}


def seed_questions() -> tuple[list[str], list[tuple[str, list[str]]]]:
    recs = [json.loads(ln) for ln in (ROOT / "seeds" / "questions.jsonl").read_text("utf-8").splitlines() if ln]
    plain = list(dict.fromkeys(r["question"] for r in recs if not r.get("history")))
    follow = [(r["question"], r["history"]) for r in recs if r.get("history")]
    return plain, follow


def ensure_index(index: Path, encoder) -> None:
    from qa.index.indexing import build_index, is_stale

    if is_stale([str(ROOT / "seeds")], index):
        build_index([str(ROOT / "seeds")], index, model=encoder, progress=False)


def timed(fn, *args, **kw) -> float:
    t0 = time.perf_counter()
    fn(*args, **kw)
    return time.perf_counter() - t0


def warm(index: Path, reps: int) -> dict:
    from qa.index.encoder import Encoder
    from qa.answer.engine import Assistant

    enc = Encoder().warm_up()
    ensure_index(index, enc)
    a = Assistant(index)
    a.encoder = enc
    a.warm_up()
    plain, follow = seed_questions()
    clear = enc.clear_cache      # emptied before each uncached timing: every encoding is real
    rows = {"encode": [], "ask": [], "ask_cached": [], "encode_cached": [], "ratio": []}
    rep_medians = []
    rnd = random.Random(0)
    for _ in range(reps):
        order = plain[:]
        rnd.shuffle(order)
        e_rep, a_rep = [], []
        for q in order:
            clear()
            te = timed(enc.encode_query, q)
            clear()
            ta = timed(a.ask, q)
            rows["ask_cached"].append(timed(a.ask, q))
            rows["encode_cached"].append(timed(enc.encode_query, q))
            rows["encode"].append(te), rows["ask"].append(ta), rows["ratio"].append(ta / te)
            e_rep.append(te), a_rep.append(ta)
        rep_medians.append(float(np.median(a_rep) / np.median(e_rep)))
    f_enc, f_ask = [], []
    for q, hist in follow:
        clear()
        f_enc.append(timed(enc.encode_query, q))
        clear()
        f_ask.append(timed(a.ask, q, history=hist))
    return {
        "questions": len(plain), "reps": reps,
        "encode_uncached": ms(rows["encode"]), "ask_uncached": ms(rows["ask"]),
        "ask_cached": ms(rows["ask_cached"]), "encode_cached": ms(rows["encode_cached"]),
        "ratio_median_ask_over_median_encode": float(np.median(rows["ask"]) / np.median(rows["encode"])),
        "ratio_per_question_median": float(np.median(rows["ratio"])),
        "ratio_per_rep": rep_medians,
        "ask_cached_over_encode_uncached": float(np.median(rows["ask_cached"]) / np.median(rows["encode"])),
        "follow_ups": {"n": len(follow), "encode_uncached": ms(f_enc), "ask_uncached": ms(f_ask)},
    }


_PHASES = """
import json, sys, time
t0 = time.perf_counter()
from qa.answer.engine import Assistant
t1 = time.perf_counter()
a = Assistant(sys.argv[1]); a.built
t2 = time.perf_counter()
a.encoder.warm_up()
t3 = time.perf_counter()
r = a.ask(sys.argv[2])
t4 = time.perf_counter()
print(json.dumps({"import_qa_s": t1 - t0, "load_index_s": t2 - t1, "load_model_s": t3 - t2, "first_ask_s": t4 - t3}))
"""


def top_imports(index: Path, q: str, n: int = 12) -> list[dict]:
    """Cumulative import time of the top-level packages `qa ask` imports."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-m", "qa.cli", "ask", q, "--index", str(index)],
                         capture_output=True, text=True, cwd=ROOT).stderr
    tops = []
    for ln in err.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", ln)
        if m and not m.group(3):
            tops.append({"module": m.group(4), "cumulative_s": int(m.group(2)) / 1e6})
    tops.sort(key=lambda d: -d["cumulative_s"])
    return tops[:n]


def cold(index: Path, runs: int) -> dict:
    plain, _ = seed_questions()
    qa = str(Path(sys.executable).parent / "qa")
    walls, phases = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([qa, "ask", plain[i % len(plain)], "--index", str(index)], capture_output=True,
                             text=True, cwd=ROOT, check=True).stdout
        walls.append(time.perf_counter() - t0)
        assert out.strip(), "qa ask printed nothing"
        ph = subprocess.run([sys.executable, "-c", _PHASES, str(index), plain[(i + 7) % len(plain)]],
                            capture_output=True, text=True, cwd=ROOT, check=True).stdout
        phases.append(json.loads(ph.strip().splitlines()[-1]))
    st = []                   # the same through sentence_transformers (the old path), for comparison
    for i in range(max(1, runs // 2)):
        t0 = time.perf_counter()
        subprocess.run([qa, "ask", plain[(i + 3) % len(plain)], "--index", str(index)], capture_output=True,
                       cwd=ROOT, check=True, env={**os.environ, "QA_ENCODER": "sentence-transformers"})
        st.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare_python = time.perf_counter() - t0
    return {"runs": runs, "wall_s": walls, "wall_median_s": float(np.median(walls)),
            "bare_python_start_s": bare_python, "sentence_transformers_wall_s": st,
            "phases_median_s": {k: float(np.median([p[k] for p in phases])) for k in phases[0]},
            "top_imports": top_imports(index, plain[0])}


def write_section(md: Path, name: str, body: str) -> None:
    """Replace what lies between `<!-- section: NAME ... -->` and `<!-- end: NAME -->`."""
    text = md.read_text("utf-8")
    start = re.search(rf"<!-- section: {re.escape(name)}\b[^>]*-->\n", text)
    end = text.index(f"<!-- end: {name} -->", start.end())
    md.write_text(text[:start.end()] + body.rstrip() + "\n" + text[end:], "utf-8")


def machine_line() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({cpu}), load average {os.getloadavg()[0]:.1f} at the end of the run"


def markdown(r: dict, command: str) -> str:
    w, c = r["warm"], r["cold"]

    def row(name, d):
        return f"| {name} | {d['p50_ms']:.1f} | {d['p95_ms']:.1f} | {d['min_ms']:.1f}–{d['max_ms']:.1f} | {d['n']} |"

    reps = w["ratio_per_rep"]
    lines = [
        "## Warm `ask()` latency and cold start", "",
        f"Command: `.venv/bin/python {command}`; machine: {r['machine']}. Seed corpus (seeds/), index built by the",
        f"script. {w['questions']} distinct questions without history, {w['reps']} shuffled repetitions, each",
        "question timed four ways in turn (so noise hits all alike). \"Uncached\" empties the",
        "query-vector cache first, so the question is really encoded; the target uses uncached.", "",
        "| timing | median ms | p95 ms | range ms | n |", "|---|---:|---:|---:|---:|",
        row("encode the question alone (uncached)", w["encode_uncached"]),
        row("ask() (uncached: includes encoding)", w["ask_uncached"]),
        row("ask() (question vector cached)", w["ask_cached"]),
        row("encode_query (cached)", w["encode_cached"]),
        row(f"follow-up ask() with history ({w['follow_ups']['n']} questions; encodes twice)",
            w["follow_ups"]["ask_uncached"]), "",
        f"**median ask / median encode = {w['ratio_median_ask_over_median_encode']:.2f}** (target ≤ 1.3; "
        f"{'met' if w['ratio_median_ask_over_median_encode'] <= 1.3 else 'missed'}); median of per-question "
        f"ratios {w['ratio_per_question_median']:.2f}; per repetition {min(reps):.2f}–{max(reps):.2f}. "
        f"Everything ask() does besides encoding costs {w['ask_cached']['p50_ms']:.1f} ms "
        f"({w['ask_cached_over_encode_uncached']:.2f} × the encoding).", "",
        f"Cold start of `qa ask` (process start to printed answer, {c['runs']} runs, distinct questions): "
        f"median **{c['wall_median_s']:.1f} s** (range {min(c['wall_s']):.1f}–{max(c['wall_s']):.1f} s; "
        f"a bare `python -c pass` takes {c['bare_python_start_s']:.2f} s). The same command through "
        f"sentence_transformers (`QA_ENCODER=sentence-transformers`, the previous code path), same run: "
        f"{', '.join(f'{x:.1f}' for x in c.get('sentence_transformers_wall_s', []))} s. Where it goes (medians):", "",
        "| phase | seconds |", "|---|---:|",
        *[f"| {k.replace('_s', '').replace('_', ' ')} | {v:.2f} |" for k, v in c["phases_median_s"].items()], "",
        "Largest top-level imports (`python -X importtime -m qa.cli ask …`, cumulative):", "",
        "| module | seconds |", "|---|---:|",
        *[f"| {d['module']} | {d['cumulative_s']:.2f} |" for d in c["top_imports"][:8]],
    ]
    return "\n".join(lines) + "\n" + r.get("notes", "")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", default=str(ROOT / ".cache" / "ask-latency" / "index"))
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--cold-runs", type=int, default=5)
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--docs", help="write the ask-latency section of this markdown file")
    p.add_argument("--notes", default=str(ROOT / "bench" / "ask_latency_notes.md"),
                   help="markdown appended to the section")
    p.add_argument("--from-json", help="only rewrite the docs from an earlier --json file")
    args = p.parse_args()
    if args.from_json:
        res = json.loads(Path(args.from_json).read_text("utf-8"))
    else:
        res = {"warm": warm(Path(args.index), args.reps), "cold": cold(Path(args.index), args.cold_runs),
               "machine": machine_line(), "command": "bench/ask_latency.py " + " ".join(sys.argv[1:])}
    if Path(args.notes).is_file():
        res["notes"] = Path(args.notes).read_text("utf-8")
    command = res["command"]
    print(json.dumps({k: v for k, v in res.items() if k != "notes"}, indent=2))
    if args.json and not args.from_json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=2), "utf-8")
    if args.docs:
        write_section(Path(args.docs), "ask-latency", markdown(res, command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
