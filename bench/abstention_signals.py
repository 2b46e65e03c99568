"""How well each signal separates answerable questions from same-topic unanswerable ones on
the news question set (docs/answer-model.md, "Against the issue's targets").

    .venv/bin/python bench/abstention_signals.py [--questions seeds/questions.jsonl] [--index index]
    QA_ANSWER_MODEL=<folder> .venv/bin/python bench/abstention_signals.py     # another model

For every question (history included; off-topic ones left out), the shipped fusion ranks the
candidates with the stage off, the answer model reads the best 5, and three signals are kept:
the best fused score (``top``), the model's probability of that candidate (``p0``) and the
highest probability among the 5 (``pmax``). Per half: the AUC of each signal, answerable
against same-topic unanswerable, and, as a diagnostic only (the cut is read off the same
half), the largest share of same-topic questions a ``pmax`` cut abstains on while withholding
at most 5% of the answerable ones.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

import numpy as np  # noqa: E402

TOP = 5


def auc(pos: list[float], neg: list[float]) -> float:
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def signals(a, q: dict) -> dict | None:
    from qa.answer.rescore import top_positions

    query = a.query(q["question"], q.get("history", []))
    cand, feats = a.features_of(query, {})
    if not len(cand):
        return None
    fused = a.fused(query, cand, feats)
    pos = top_positions(fused, TOP)
    p = np.asarray(a.rescorer.score(query.dense_text, [a.sentence_text(int(cand[i])) for i in pos]))
    return {"top": float(fused[pos[0]]), "p0": float(p[0]), "pmax": float(p.max())}


def report(rows: list[dict]) -> dict:
    out = {}
    for half in ("tune", "report"):
        ans = [r for r in rows if r["split"] == half and r["answerable"]]
        same = [r for r in rows if r["split"] == half and r["kind"] == "unanswerable"]
        best = 0.0
        for cut in sorted({r["pmax"] for r in ans + same}):
            if sum(r["pmax"] < cut for r in ans) <= 0.05 * len(ans):
                best = max(best, sum(r["pmax"] < cut for r in same) / len(same))
        out[half] = {**{k: round(auc([r[k] for r in ans], [r[k] for r in same]), 3) for k in ("top", "p0", "pmax")},
                     "answerable": len(ans), "same_topic": len(same), "oracle_same_topic_abstained": round(best, 3)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "seeds" / "questions.jsonl"))
    ap.add_argument("--index", default="index")
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.answer.engine import Assistant

    a = Assistant(args.index).warm_up()
    if a.rescorer is None:
        sys.exit("abstention_signals: the answer model is off (" + a.rescorer_status + ")")
    rows = []
    for line in open(args.questions, encoding="utf-8"):
        q = json.loads(line) if line.strip() else None
        if q is None or q.get("kind") == "off_topic":
            continue
        s = signals(a, q)
        if s:
            rows.append({"id": q["id"], "split": q.get("split"), "kind": q.get("kind"),
                         "answerable": q["answerable"], **s})
    out = {"model": str(getattr(a.rescorer, "path", "")), "halves": report(rows)}
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps({**out, "questions": rows}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
