"""Choose the fusion weights and the abstention threshold on the TUNING half of a
question set (never the reporting half). Prints the best settings and their scores.

    python bench/tune.py --questions seeds/questions.jsonl --index index [--split tune]

Features are computed once per question; the grid search is then pure numpy.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.answer_type import matches  # noqa: E402
from qa.engine import Assistant  # noqa: E402
from qa.retrieve import candidates, features  # noqa: E402
from qa.textnorm import fold  # noqa: E402

FEATURES = ["bm25_sent", "bm25_pass", "bm25_window", "dense_sent", "dense_pass", "dense_window", "type_mismatch"]


def collect(a: Assistant, questions: list[dict]) -> list[dict]:
    rows = []
    for q in questions:
        query = a._query(q["question"], q.get("history", []))
        qv = a.encoder.encode_query(query.dense_text)
        cand, raw = candidates(a.built, a, query, qv, None)
        f = features(a.built, query, qv, cand, raw)
        texts = [a.sentence_text(int(i)) for i in cand]
        f["type_mismatch"] = np.array([0.0 if matches(query.kind, t, query.text) else 1.0 for t in texts])
        exp = [fold(e) for e in q.get("expected", [])]
        right = np.array([any(e in fold(t) for e in exp) for t in texts])
        avoid = np.array([query.avoid is not None and int(c) == query.avoid for c in cand])
        rows.append({"X": np.stack([f[n] for n in FEATURES], 1), "right": right, "avoid": avoid,
                     "answerable": q["answerable"], "kind": q["kind"]})
    return rows


def score(rows, w: np.ndarray, penalty: float):
    """(best score, top-1 right) per question."""
    out = []
    for r in rows:
        s = r["X"] @ w
        s = np.where(r["avoid"], s * penalty, s)
        i = int(np.argmax(s))
        out.append((float(s[i]), bool(r["right"][i])))
    return out


def best_threshold(res, rows) -> tuple[float, float, dict]:
    """Threshold maximising right-first-answers + right abstentions."""
    best = (-1.0, 0.0, {})
    for th in np.arange(0.05, 0.80, 0.01):
        ok_ans = sum(1 for (s, right), r in zip(res, rows) if r["answerable"] and s >= th and right)
        false_abs = sum(1 for (s, _), r in zip(res, rows) if r["answerable"] and s < th)
        ok_un = sum(1 for (s, _), r in zip(res, rows) if not r["answerable"] and s < th)
        n_ans = sum(r["answerable"] for r in rows)
        n_un = len(rows) - n_ans
        obj = (ok_ans + ok_un) / len(rows)
        if obj > best[0] + 1e-9:   # ties: the lowest threshold, so answers are not withheld
            best = (obj, float(th), {"hit1": ok_ans / n_ans, "abstain_recall": ok_un / max(1, n_un),
                                     "false_abstention": false_abs / n_ans})
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--split", default="tune")
    ap.add_argument("--trials", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    qs = [json.loads(l) for l in open(args.questions, encoding="utf-8") if l.strip()]
    qs = [q for q in qs if q.get("split", args.split) == args.split]
    a = Assistant(args.index).warm_up()
    rows = collect(a, qs)
    rng = np.random.default_rng(args.seed)
    results = []
    current = np.array([a.config.weights.get(n, 0.0) for n in FEATURES])
    # Random search over the simplex of the similarity weights (they sum to 1, rounded to
    # 0.05), with the type penalty on a grid; the shipped weights are always a candidate.
    trials = [current] + [np.append(np.round(rng.dirichlet(np.ones(len(FEATURES) - 1)) / 0.05) * 0.05,
                                    -rng.choice([0.0, 0.1, 0.2, 0.3])) for _ in range(args.trials)]
    for w in trials:
        obj, th, m = best_threshold(score(rows, w, a.config.repeat_penalty), rows)
        results.append((obj, th, w.round(2).tolist(), m))
    res = score(rows, current, a.config.repeat_penalty)
    n_ans = sum(r["answerable"] for r in rows)
    print("threshold  hit@1  abstain_recall  false_abstention   (shipped weights)")
    for th in np.arange(0.10, 0.50, 0.02):
        hit = sum(1 for (sc, ok), r in zip(res, rows) if r["answerable"] and sc >= th and ok) / n_ans
        fa = sum(1 for (sc, _), r in zip(res, rows) if r["answerable"] and sc < th) / n_ans
        ar = sum(1 for (sc, _), r in zip(res, rows) if not r["answerable"] and sc < th) / max(1, len(rows) - n_ans)
        print(f"  {th:.2f}     {hit:.3f}   {ar:.3f}           {fa:.3f}")
    print(f"shipped: obj {results[0][0]:.3f} threshold {results[0][1]:.2f} {json.dumps(results[0][3])}")
    results.sort(key=lambda r: -r[0])
    print("features:", FEATURES)
    for r in results[:15]:
        print(f"obj {r[0]:.3f} threshold {r[1]:.2f} weights {r[2]} {json.dumps({k: round(v, 3) for k, v in r[3].items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
