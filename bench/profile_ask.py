"""Where ask() spends its time on a big index: cProfile of SQuAD questions, stage off.

    .venv/bin/python bench/profile_ask.py .cache/scale/1000000/index [--questions 100] [--top 30]

Loads the index (one built by bench/scale.py), turns the answer-model stage off (its cost
is bench/stage_latency.py's), primes the question encodings so that encoding is not
counted, asks every question once to warm up, prints the mean ask() time over one more
pass, then profiles a third pass and prints the functions by own time and by cumulative
time. Per-question figures are the printed seconds divided by the number of questions.
docs/benchmarks.md (sessions 10 and 11) quotes it.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index")
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--squad", default=None, help="SQuAD v1.1 dev (default: bench/scale.py's)")
    args = ap.parse_args()
    import scale
    from qa.answer.engine import Assistant

    scale.ARGS.squad = args.squad or str(scale.DEFAULT_SQUAD)
    base = Assistant(args.index)
    a = Assistant.from_built(base.built, base.encoder, replace(base.config, rescore_weight=0.0))
    qs = scale.questions(args.questions)
    a.encoder.prime(qs)
    for q in qs:
        a.ask(q)
    t = time.perf_counter()
    for q in qs:
        a.ask(q)
    print(f"mean ask() excl. encoding, stage off: {(time.perf_counter() - t) * 1000 / len(qs):.1f} ms "
          f"over {len(qs)} questions")
    prof = cProfile.Profile()
    prof.enable()
    for q in qs:
        a.ask(q)
    prof.disable()
    for key in ("tottime", "cumtime"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
