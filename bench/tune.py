"""Choose the fusion weights and the abstention threshold on the TUNING half of a
question set (never the reporting half). Prints the best settings and their scores.

    python bench/tune.py --questions seeds/questions.jsonl --index index [--split tune]
        [--squad ../shared/data/squad/dev-v1.1.json] [--wikiqa ../shared/data/wikiqa/WikiQA-test.tsv]
        [--half even|odd] [--squad-index DIR] [--wikiqa-index DIR] [--json OUT]

Features are computed once per question; the grid search is then pure numpy.

With ``--squad`` and/or ``--wikiqa``, one half of each external set joins the objective
(``--half``: even or odd SQuAD article index, as bench/reqa_squad.py splits; even or odd
WikiQA question number, as bench/wikiqa.py splits): each weight vector scores the mean of
the news objective and each set's MRR@10, so one set of constants serves news questions
and Wikipedia ones. Report the external sets on their *other* half only.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa.answer.engine import Assistant  # noqa: E402
from qa.answer.retrieve import FEATURES  # noqa: E402
from common import indexed_pool  # noqa: E402
from search_space import random_weights  # noqa: E402
from qa.ingest.textnorm import fold  # noqa: E402



def collect(a: Assistant, questions: list[dict]) -> list[dict]:
    rows = []
    for q in questions:
        query = a.query(q["question"], q.get("history", []))   # its answer type and avoid are used below
        cand, f = a.features_of(query, {})      # the very columns serving fuses
        texts = [a.sentence_text(int(i)) for i in cand]
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


# The product's promise: at most this share of answerable questions wrongly abstained.
# Without it the objective buys abstentions with lost answers (one counts as much as the
# other), and the chosen threshold withheld 29% of the answers on the tuning half.
MAX_FALSE_ABSTENTION = 0.05


def best_threshold(res, rows) -> tuple[float, float, dict]:
    """Threshold maximising right-first-answers + right abstentions, among those that
    abstain on at most MAX_FALSE_ABSTENTION of the answerable questions."""
    best = (-1.0, 0.0, {})
    for th in np.arange(0.05, 0.80, 0.01):
        ok_ans = sum(1 for (s, right), r in zip(res, rows) if r["answerable"] and s >= th and right)
        false_abs = sum(1 for (s, _), r in zip(res, rows) if r["answerable"] and s < th)
        ok_un = sum(1 for (s, _), r in zip(res, rows) if not r["answerable"] and s < th)
        n_ans = sum(r["answerable"] for r in rows)
        n_un = len(rows) - n_ans
        if false_abs > MAX_FALSE_ABSTENTION * n_ans:
            continue
        obj = (ok_ans + ok_un) / len(rows)
        if obj > best[0] + 1e-9:   # ties: the lowest threshold, so answers are not withheld
            best = (obj, float(th), {"hit1": ok_ans / n_ans, "abstain_recall": ok_un / max(1, n_un),
                                     "false_abstention": false_abs / n_ans})
    return best


def stack(rows: list[dict]) -> dict:
    """Per-question candidate features stacked into one matrix, so a weight vector's
    MRR@10 over thousands of questions is a few numpy calls."""
    sizes = [len(r["X"]) for r in rows]
    return {"X": np.concatenate([r["X"] for r in rows]), "gold": np.concatenate([r["gold"] for r in rows]),
            "starts": np.cumsum([0] + sizes)[:-1], "group": np.repeat(np.arange(len(rows)), sizes),
            "n": len(rows)}


def squad_rows(path: str, half: str, index_dir: str | None, a: Assistant) -> dict:
    """ReQA features for the questions of one half of the SQuAD articles
    (bench/reqa_squad.py collect)."""
    import reqa_squad as rq

    articles, questions = rq.load_squad(path)
    questions = rq.select(questions, half, None)
    sq, _, _ = indexed_pool(articles, index_dir, True, a.encoder, a.config)
    built = sq.built
    keys = rq.candidate_keys(built)
    a.encoder.prime([q.text.strip() for q in questions])
    return stack(rq.collect(sq, questions, rq.gold_rows(built, questions, keys), keys))


def wikiqa_rows(path: str, half: str, index_dir: str | None, a: Assistant) -> dict:
    """WikiQA answer selection: each answerable question of one half (even/odd QuestionID
    number, as bench/wikiqa.py splits) ranks the sentences of its own summary."""
    import wikiqa as wq

    articles, spans, questions = wq.load_wikiqa(path)
    questions = [q for q in questions if q.answerable and q.number % 2 == (half == "odd")]
    wa, _, _ = indexed_pool(articles, index_dir, True, a.encoder, a.config)
    built = wa.built
    rows = []
    for q in questions:
        cand, f = wa.features(q.text, filters={"doc_ids": [q.doc_id]})
        rows.append({"X": np.stack([np.asarray(f[n], float) for n in FEATURES], 1),
                     "gold": wq.correct_rows(built, q, cand, spans)})
    return stack(rows)


def stacked_mrr(sq: dict, w: np.ndarray) -> float:
    """MRR@10 over stacked rows (a question without gold candidates scores 0). A wrong
    candidate tied with the best gold one counts half a place (the expected rank under a
    random tie-break): counting ties in gold's favour would reward features that are
    constant within a passage, which tie every sentence of the right passage."""
    s = sq["X"] @ w
    gmax = np.maximum.reduceat(np.where(sq["gold"], s, -np.inf), sq["starts"])
    g = gmax[sq["group"]]
    ahead = (s > g) + 0.5 * ((s == g) & ~sq["gold"])
    rank = 1 + np.add.reduceat(ahead, sq["starts"])
    return float(np.where(np.isfinite(gmax) & (rank <= 10), 1.0 / rank, 0.0).sum() / sq["n"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--split", default="tune")
    ap.add_argument("--trials", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--squad", help="SQuAD v1.1 dev JSON: add one half of its articles to the objective")
    ap.add_argument("--wikiqa", help="WikiQA-test.tsv: add one half of its answerable questions")
    ap.add_argument("--wikiqa-index", help="save/load the WikiQA pool index here")
    ap.add_argument("--half", choices=["even", "odd"], default="even",
                    help="which half of SQuAD articles / WikiQA questions joins the objective")
    ap.add_argument("--json", help="write every trial (objective, threshold, weights, metrics) here")
    ap.add_argument("--squad-index", help="save/load the SQuAD pool index here (as reqa_squad --reuse-index)")
    args = ap.parse_args()
    qs = [json.loads(l) for l in open(args.questions, encoding="utf-8") if l.strip()]
    qs = [q for q in qs if q.get("split", args.split) == args.split]
    a = Assistant(args.index).warm_up()
    rows = collect(a, qs)
    external = {}
    if args.squad:
        external["squad_mrr10"] = squad_rows(args.squad, args.half, args.squad_index, a)
    if args.wikiqa:
        external["wikiqa_mrr10"] = wikiqa_rows(args.wikiqa, args.half, args.wikiqa_index, a)
    rng = np.random.default_rng(args.seed)
    results = []
    current = np.array([a.config.weights.get(n, 0.0) for n in FEATURES])
    # Random search over the simplex of the similarity weights (they sum to 1, rounded to
    # 0.05), with the type penalty on a grid; the shipped weights are always a candidate.
    trials = [current] + [random_weights(rng) for _ in range(args.trials)]
    for w in trials:
        obj, th, m = best_threshold(score(rows, w, a.config.repeat_penalty), rows)
        if external:
            m = {**m, "news_obj": obj, **{name: stacked_mrr(sq, w) for name, sq in external.items()}}
            obj = (obj + sum(m[name] for name in external)) / (1 + len(external))
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
    if args.json:
        Path(args.json).write_text(json.dumps([{"obj": r[0], "threshold": r[1], "weights": r[2], **r[3]}
                                               for r in results]), "utf-8")
    print("features:", FEATURES)
    for r in results[:15]:
        print(f"obj {r[0]:.3f} threshold {r[1]:.2f} weights {r[2]} {json.dumps({k: round(v, 3) for k, v in r[3].items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
