"""What the answer-model stage adds to a warm ask(), measured as a difference within one run.

    .venv/bin/python bench/stage_latency.py [--index index] [--reps 3] [--tops 5 3:10 1:8@64 1:8=DIR] [--no-history] [--json OUT]

One process, one loaded index and encoder, several Assistants over them: the stage off
(``rescore_weight`` 0) and the stage on for each reading of ``--tops``: N reads the best N
candidates; F:M the best F, then more up to M while one could still rise to first place
(AskConfig ``rescore_top`` F, ``rescore_most`` M); a reading followed by @L has the model read
each question-sentence pair cut to L tokens (``AnswerScorer(max_len=L)``), and one ending in
=DIR reads with the model in folder DIR instead of the shipped one. Every question of seeds/questions.jsonl (history included) is asked by each
configuration in turn, in a shuffled order per repetition, so machine noise hits all
alike; the query-vector cache is kept (a repeated question is then timed on what the stage
and the ranking cost, not the encoder). Reports p50/p95 of ask() per configuration and the
median of the per-question differences against the stage off (issue #13: at most 80 ms).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402

from common import emit  # noqa: E402


class Counting:
    """The shared answer model, counting the sentences it reads for one configuration and
    keeping the pairs it read (their tokens are counted after the timing)."""

    def __init__(self, inner):
        self.inner, self.read, self.pairs = inner, 0, set()

    def warm_up(self):
        return self.inner.warm_up()

    def score(self, question, sentences):
        self.read += len(sentences)
        self.pairs.update((question, s) for s in sentences)
        return self.inner.score(question, sentences)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--questions", default=str(ROOT / "seeds" / "questions.jsonl"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tops", nargs="+", default=["5", "3:10"])
    ap.add_argument("--no-history", action="store_true",
                    help="only the distinct questions without history (the set make bench-ask times)")
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.answer.answer_model import AnswerScorer, load_tokenizer
    from qa.answer.engine import Assistant

    base = Assistant(args.index).warm_up()
    if not base.rescoring:
        sys.exit("stage_latency: the answer model is off (QA_ANSWER_MODEL or a missing model folder)")
    confs = {"off": Assistant.from_built(base.built, base.encoder, replace(base.config, rescore_weight=0.0))}
    for spec in args.tops:
        spec_model, _, folder = spec.partition("=")
        reading, _, length = spec_model.partition("@")
        first, _, most = reading.partition(":")
        cfg = replace(base.config, rescore_top=int(first), rescore_most=int(most or first))
        model = base.rescorer if not (length or folder) else \
            AnswerScorer(folder or base.rescorer.path, max_len=int(length) if length else None).warm_up()
        confs[f"top{spec}"] = Assistant.from_built(base.built, base.encoder, cfg, rescorer=Counting(model))
    qs = [json.loads(line) for line in open(args.questions, encoding="utf-8") if line.strip()]
    if args.no_history:
        qs = list({q["question"]: q for q in qs if not q.get("history")}.values())
    times = {name: {} for name in confs}
    reads = {name: {} for name in confs if name != "off"}     # sentences read, per question
    rng = random.Random(0)
    for a in confs.values():                       # warm every path once
        a.ask(qs[0]["question"], qs[0].get("history", []))
    for rep in range(args.reps):
        for n, q in enumerate(qs):
            order = list(confs.items())
            rng.shuffle(order)
            for name, a in order:
                before = a.rescorer.read if name in reads else 0
                t = time.perf_counter()
                a.ask(q["question"], q.get("history", []))
                times[name].setdefault(n, []).append(time.perf_counter() - t)
                if name in reads:
                    reads[name][n] = a.rescorer.read - before
    out = {"questions": len(qs), "reps": args.reps, "threads": int(os.environ.get("OMP_NUM_THREADS", "0") or 0)}
    per = {name: np.array([1000 * np.median(v) for _, v in sorted(t.items())]) for name, t in times.items()}
    for name, ms in per.items():
        out[name] = {"p50_ms": round(float(np.median(ms)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1)}
        if name != "off":
            out[name]["added_p50_ms"] = round(float(np.median(ms - per["off"])), 1)
            asks = args.reps * len(qs) + 1
            out[name]["sentences_read_per_ask"] = round(confs[name].rescorer.read / asks, 2)
            r = np.array(list(reads[name].values()))      # the same each repetition
            out[name]["sentences_read_p50"] = float(np.median(r))
            out[name]["sentences_read_counts"] = {int(k): int(v) for k, v in zip(*np.unique(r, return_counts=True))}
            tok = load_tokenizer(512)                     # every distinct pair read, uncut
            n = np.array([len(tok.encode(q, s).ids) for q, s in confs[name].rescorer.pairs])
            out[name]["pair_tokens"] = {"mean": round(float(n.mean()), 1), "p90": float(np.percentile(n, 90)),
                                        "max": int(n.max()), "share_over_64": round(float((n > 64).mean()), 3)}
    emit(out, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
