"""How many candidates should the answer model read? Replays reading rules on the tuning halves.

    .venv/bin/python bench/read_rising_replay.py --squad ../shared/data/squad/dev-v1.1.json \\
        --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv [--read 20] [--weight 0.25] [--rules 5 1:8 ...] [--json OUT]

The answer model reads the best ``--read`` fused candidates of every question once (news
tune half, 1,000 SQuAD-even questions, WikiQA-even), through bench/tune_rescore.py's readers;
then each rule is replayed in numpy: "F:M" reads the best F, then more up to M while one
could still rise to first place (qa/answer/rescore.py ``read_rising``, as serving does), and
"N" reads a fixed best N. For each: MRR@10 per set (news over all tune questions, the
unanswerable ones counting 0) and the sentences read per question (mean, p50, p90).
Tuning halves only (docs/tuning.md, session 7).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import tune_rescore as tr  # noqa: E402

RULES = ("5", "7", "10", "1:6", "1:7", "1:8", "2:8", "1:10", "2:10", "3:10", "1:15", "1:20", "20")


def measure(rows: list[dict], first: int, most: int, w: float) -> dict:
    """MRR@10 (tune_rescore's, which replays ``read_rising`` as serving does) and the
    sentences read per question under the rule first:most."""
    ruled = [{**r, "top": r["top"][:most], "prob": r["prob"][:most], "first": min(first, most)} for r in rows]
    reads = np.array([len(tr.reading(r, w)[0]) if len(r["fused"]) else 0 for r in ruled])
    return {"mrr10": round(float(tr.mrr10(ruled, w)), 4), "read_mean": round(float(reads.mean()), 2),
            "read_p50": float(np.median(reads)), "read_p90": float(np.percentile(reads, 90))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--squad", required=True), ap.add_argument("--wikiqa", required=True)
    ap.add_argument("--squad-index", default=".cache/squad-pool"), ap.add_argument("--wikiqa-index", default=".cache/wikiqa-pool")
    ap.add_argument("--squad-limit", type=int, default=1000)
    ap.add_argument("--read", type=int, default=20, help="candidates the model reads once per question")
    ap.add_argument("--weight", type=float, default=0.25)
    ap.add_argument("--rules", nargs="+", default=list(RULES), help="F:M or N, as above")
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.answer.answer_model import AnswerScorer
    from qa.answer.engine import Assistant

    model = AnswerScorer().warm_up()
    a = Assistant(args.index).warm_up()
    qs = [json.loads(line) for line in open(args.questions, encoding="utf-8") if line.strip()]
    sets = {"news": tr.news_rows(a, [q for q in qs if q.get("split") == "tune"], model, args.read),
            "squad": tr.squad_rows(args.squad, args.squad_index, a, model, args.read, args.squad_limit),
            "wikiqa": tr.wikiqa_rows(args.wikiqa, args.wikiqa_index, a, model, args.read)}
    out = {}
    for rule in args.rules:
        first, _, most = rule.partition(":")
        first, most = (int(first), int(most)) if most else (int(first), int(first))
        out[rule] = {name: measure(rows, first, most, args.weight) for name, rows in sets.items()}
        print(rule, json.dumps(out[rule]))
    if args.json:
        Path(args.json).write_text(json.dumps({"read": args.read, "weight": args.weight, "rules": out}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
