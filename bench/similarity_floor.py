"""How similar in meaning is a right answer to its question, at the least? Chooses
``AskConfig.min_similarity`` (abstain when the best answer's cosine is below it) on the
tuning halves.

    .venv/bin/python bench/similarity_floor.py --squad ../shared/data/squad/dev-v1.1.json \\
        [--questions seeds/questions.jsonl --index index] [--sample 1500] [--json OUT]

SQuAD-even: the cosine (the bundled MiniLM) between a sample of questions of even-index
articles and the sentence (``qa.ingest.split``) holding their first answer: the share
below each cut. News tune half: the cosine of each question's first-ranked sentence (the
larger of the sentence's and the sentence-with-the-one-before's, as serving reads it), the
lowest for answerable questions and those of the others.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

CUTS = (0.05, 0.10, 0.15, 0.20)


def squad_even(path: str, sample: int, encoder) -> dict:
    from qa.ingest.split import sentences

    data = json.load(open(path, encoding="utf-8"))["data"]
    pairs = []
    for ai, art in enumerate(data):
        if ai % 2:
            continue
        for p in art["paragraphs"]:
            ctx = p["context"]
            spans = list(sentences(ctx, 0, len(ctx)))
            for qa in p["qas"]:
                st = qa["answers"][0]["answer_start"]
                hit = [ctx[s:e] for s, e in spans if s <= st < e]
                if hit:
                    pairs.append((qa["question"], hit[0]))
    random.Random(0).shuffle(pairs)
    pairs = pairs[:sample]
    q, s = encoder.encode([a for a, _ in pairs]), encoder.encode([b for _, b in pairs])
    cos = (q * s).sum(1)
    return {"pairs": len(pairs), "min": round(float(cos.min()), 3),
            "share_below": {str(c): round(float((cos < c).mean()), 5) for c in CUTS}}


def news_tune(questions: str, index: str) -> dict:
    from qa.answer.engine import Assistant

    a = Assistant(index)
    sims = {True: [], False: []}
    for line in open(questions, encoding="utf-8"):
        q = json.loads(line)
        if q.get("split") != "tune":
            continue
        query = a.query(q["question"], q.get("history", []))
        cand, f = a.features_of(query, {})
        if not len(cand):
            continue
        score, _ = a.rescored(query, cand, a.fused(query, cand, f))
        i = int(np.argmax(score))
        sims[bool(q["answerable"])].append(float(max(f["dense_sent"][i], f["dense_window"][i])))
    return {"answerable_min": round(min(sims[True]), 3),
            "unanswerable_below": {str(c): sum(x < c for x in sims[False]) for c in CUTS},
            "unanswerable": len(sims[False])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--squad", required=True)
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.index.encoder import Encoder

    out = {"squad_even": squad_even(args.squad, args.sample, Encoder().warm_up()),
           "news_tune": news_tune(args.questions, args.index)}
    emit(out, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
