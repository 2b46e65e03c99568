"""Stage 2 of tuning: how the answer model joins the fused score (docs/tuning.md).

The fusion weights (stage 1, bench/tune.py) stay fixed; this script reads, for every
question of the TUNING halves, the candidates ranked by the shipped fusion, lets the
answer model score the best ``--top`` of them once, and then searches, in numpy only,
the blend weight (qa/answer/rescore.py ``blend``, the function serving uses) and the
abstention threshold:

    python bench/tune_rescore.py --questions seeds/questions.jsonl --index index \\
        --squad ../shared/data/squad/dev-v1.1.json --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv \\
        [--squad-limit 1000] [--first 1] [--top 8] [--json OUT]

Objective per weight: the news objective (right first answers plus right abstentions over
all tune questions, at the best threshold whose false-abstention rate on answerable tune
questions is at most --max-false-abstention), then the news tune MRR@10; ReQA-SQuAD MRR@10
on even articles and WikiQA MRR@10 on even questions only break ties, since the model
was trained on those halves. Never the reporting halves.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import indexed_pool  # noqa: E402
from qa.answer.engine import Assistant  # noqa: E402
from qa.answer.rescore import blend, read_rising, top_positions  # noqa: E402
from qa.ingest.textnorm import fold  # noqa: E402


def read(a: Assistant, query, cand, fused, right, model, top: int) -> dict:
    pos = top_positions(fused, top)
    prob = model.score(query.dense_text, [a.sentence_text(int(cand[i])) for i in pos]) if len(pos) else np.zeros(0)
    return {"fused": fused, "right": right, "top": pos, "prob": np.asarray(prob, float)}


def fused_of(a: Assistant, query, filters: dict):
    cand, f = a.features_of(query, filters)
    return (cand, a.fused(query, cand, f)) if len(cand) else (cand, np.zeros(0))


def news_rows(a: Assistant, questions: list[dict], model, top: int) -> list[dict]:
    rows = []
    for q in questions:
        query = a.query(q["question"], q.get("history", []))
        cand, fused = fused_of(a, query, {})
        exp = [fold(e) for e in q.get("expected", [])]
        right = np.array([any(e in fold(a.sentence_text(int(i))) for e in exp) for i in cand], bool)
        row = read(a, query, cand, fused, right, model, top)
        rows.append({**row, "answerable": q["answerable"], "kind": q.get("kind")})
    return rows


def squad_rows(path: str, index_dir: str | None, a: Assistant, model, top: int, limit: int) -> list[dict]:
    import reqa_squad as rq

    articles, questions = rq.load_squad(path)
    questions = rq.select(questions, "even", None)
    step = max(1, len(questions) // limit) if limit else 1
    questions = questions[::step][:limit] if limit else questions
    sq, _, _ = indexed_pool(articles, index_dir, True, a.encoder, a.config)
    keys = rq.candidate_keys(sq.built)
    golds = rq.gold_rows(sq.built, questions, keys)
    a.encoder.prime([q.text.strip() for q in questions])
    rows = []
    for q, gold in zip(questions, golds):
        query = sq.query(q.text.strip(), [])
        cand, fused = fused_of(sq, query, {})
        rows.append(read(sq, query, cand, fused, np.isin(keys[cand], list(gold)), model, top))
    return rows


def wikiqa_rows(path: str, index_dir: str | None, a: Assistant, model, top: int) -> list[dict]:
    import wikiqa as wq
    from qa.answer.engine import check_filters

    articles, spans, questions = wq.load_wikiqa(path)
    questions = [q for q in questions if q.answerable and q.number % 2 == 0]
    wa, _, _ = indexed_pool(articles, index_dir, True, a.encoder, a.config)
    rows = []
    for q in questions:
        query = wa.query(q.text, [])
        cand, fused = fused_of(wa, query, check_filters({"doc_ids": [q.doc_id]}))
        rows.append(read(wa, query, cand, fused, wq.correct_rows(wa.built, q, cand, spans), model, top))
    return rows


def final(row: dict, w: float) -> np.ndarray:
    """The blended scores serving would give: ``read_rising`` picks, among the ``--top``
    candidates read here, the ones serving reads at weight ``w`` (the best ``row["first"]``,
    i.e. --first, then more while one could still rise to first place)."""
    if not len(row["fused"]):
        return row["fused"]
    return blend(row["fused"], *reading(row, w), w)


def reading(row: dict, w: float) -> tuple[np.ndarray, np.ndarray]:
    """(positions, probabilities) that serving's ``read_rising`` reads at weight ``w``."""
    prob_at = dict(zip(row["top"].tolist(), row["prob"].tolist()))
    return read_rising(row["fused"], lambda pos: np.array([prob_at[int(i)] for i in pos]), w,
                       row["first"], len(row["top"]))


def mrr10(rows: list[dict], w: float) -> float:
    total = 0.0
    for r in rows:
        s = final(r, w)
        if not r["right"].any():
            continue
        best_gold = s[r["right"]].max()
        rank = 1 + (s > best_gold).sum() + 0.5 * ((s == best_gold) & ~r["right"]).sum()
        total += 1.0 / rank if rank <= 10 else 0.0
    return total / max(1, len(rows))


def best_prob(row: dict, i: int) -> float:
    """The re-scorer's probability of candidate ``i`` (NaN when it did not read it)."""
    hit = np.flatnonzero(row["top"] == i)
    return float(row["prob"][hit[0]]) if len(hit) else float("nan")


def news_objective(rows: list[dict], w: float, max_fa: float, gate: float = 0.0) -> tuple[float, float, dict]:
    """As serving decides (qa.answer.abstention.abstains): abstain below the threshold, or when the
    stage is on and the best answer's probability is below ``gate``."""
    best_s, top_right = [], []
    for r in rows:
        s = final(r, w)
        i = int(np.argmax(s)) if len(s) else -1
        gated = w > 0 and gate > 0 and i >= 0 and not best_prob(r, i) >= gate
        best_s.append(float(s[i]) if i >= 0 and not gated else -1.0)
        top_right.append(bool(r["right"][i]) if i >= 0 else False)
    best_s, top_right = np.array(best_s), np.array(top_right)
    ans = np.array([r["answerable"] for r in rows])
    same_topic = np.array([r["kind"] == "unanswerable" for r in rows])
    best = (-1.0, 0.0, {})
    for th in np.arange(0.05, 0.90, 0.005):
        keep = best_s >= th
        fa = (ans & ~keep).sum() / ans.sum()
        if fa > max_fa + 1e-9:
            continue
        ok = (ans & keep & top_right).sum() + (~ans & ~keep).sum()
        obj = ok / len(rows)
        if obj > best[0] + 1e-9:
            best = (obj, float(th), {"hit1_answered": float((ans & keep & top_right).sum() / ans.sum()),
                                     "hit1_ranking": float(top_right[ans].mean()),
                                     "abstain_recall": float((~ans & ~keep).sum() / max(1, (~ans).sum())),
                                     "same_topic_abstained": float((same_topic & ~keep).sum() / max(1, same_topic.sum())),
                                     "false_abstention": float(fa)})
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--model", help="answer model folder (default: the shipped one)")
    ap.add_argument("--squad"), ap.add_argument("--wikiqa")
    ap.add_argument("--squad-index", default=".cache/squad-pool"), ap.add_argument("--wikiqa-index", default=".cache/wikiqa-pool")
    ap.add_argument("--squad-limit", type=int, default=1000)
    ap.add_argument("--top", type=int, default=8, help="read at most this many (AskConfig.rescore_most)")
    ap.add_argument("--first", type=int, default=1, help="always read this many (AskConfig.rescore_top)")
    ap.add_argument("--max-false-abstention", type=float, default=0.05)
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.answer.answer_model import AnswerScorer

    model = AnswerScorer(args.model).warm_up()
    first = min(args.first, args.top)
    a = Assistant(args.index).warm_up()
    qs = [json.loads(l) for l in open(args.questions, encoding="utf-8") if l.strip()]
    qs = [q for q in qs if q.get("split") == "tune"]
    t0 = time.perf_counter()
    sets = {"news": news_rows(a, qs, model, args.top)}
    if args.squad:
        sets["squad"] = squad_rows(args.squad, args.squad_index, a, model, args.top, args.squad_limit)
    if args.wikiqa:
        sets["wikiqa"] = wikiqa_rows(args.wikiqa, args.wikiqa_index, a, model, args.top)
    print(f"read {sum(map(len, sets.values()))} questions in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    for row in (r for rows in sets.values() for r in rows):
        row["first"] = first                  # what serving reads before the rising rule
    results = []
    for w in np.round(np.arange(0.0, 0.951, 0.05), 2):
        ext = {f"{name}_mrr10": mrr10(rows, w) for name, rows in sets.items() if name != "news"}
        for gate in (np.round(np.arange(0.0, 0.51, 0.05), 2) if w > 0 else (0.0,)):
            obj, th, m = news_objective(sets["news"], w, args.max_false_abstention, gate)
            total = (obj + sum(ext.values())) / (1 + len(ext))
            results.append({"weight": float(w), "gate": float(gate), "objective": total, "news_obj": obj,
                            "news_mrr10": mrr10([r for r in sets["news"] if r["answerable"]], w),
                            "threshold": th, **m, **ext})
            print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results[-1].items()}))
    # The stage must not cost the news questions their answers (issue #13: hit@1 not lower
    # than without the stage): only weights whose news tune hit@1 is at least the stage-off
    # one compete. Without this rule the mean of the three objectives chose a weight (0.65)
    # that gained on SQuAD and WikiQA and lost 6 points of news hit@1 on the tune half.
    off = next(r for r in results if r["weight"] == 0.0)
    eligible = [r for r in results if r.get("hit1_answered", -1) >= off.get("hit1_answered", 0)]
    # The model was trained on SQuAD-even and WikiQA-even (bench/answer_model_data.py), so
    # those two sets favour leaning on it: they may only break ties. The news tune half, which
    # it never saw, decides: its objective (steps of 1/71), then its MRR@10, then the mean
    # of all three, then the smaller weight and gate.
    best = max(eligible, key=lambda r: (round(r["news_obj"], 6), round(r["news_mrr10"], 6),
                                        round(r["objective"], 6), -r["weight"], -r["gate"]))
    print("best:", json.dumps(best))
    if args.json:
        Path(args.json).write_text(json.dumps({"top": args.top, "first": first, "results": results, "best": best}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
