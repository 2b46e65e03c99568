"""Do the answers change when a question is typed less carefully? The news question set as
written, and each question written another way:

    .venv/bin/python bench/question_variants.py [--variant typo|lower] [--seed 1] \
        [--questions seeds/questions.jsonl] [--index index] [--json OUT]

- ``typo``: one typo a question, two neighbouring inner letters of one word of six letters or
  more swapped, chosen at random (``--seed``); history turns are left as written.
- ``lower``: the question and its history in lower case, without a closing question mark
  (how many people type into a chat box).
- ``polite``: the question asked through a lead-in, "Can you tell me who won?", one of
  POLITE chosen at random (``--seed``).

Both versions run through the harness (``qa.evaluation.evaluate``, k = 10); per split it
prints hit@1 of the answerable questions, wrong abstentions, abstentions on unanswerable
ones, and disagreements labelled on disagreement / other questions (docs/evaluation.md,
"Questions typed less carefully").
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

MIN_WORD = 6


def with_typo(question: str, rng: random.Random) -> str:
    """``question`` with two neighbouring inner letters of one long word swapped."""
    words = question.split(" ")
    long_ = [i for i, w in enumerate(words) if len(w) >= MIN_WORD and w.isalpha()]
    if not long_:
        return question
    i = rng.choice(long_)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words)


POLITE = ("Can you tell me ", "Do you know ", "Please tell me ", "I'd like to know ", "Could you tell me ")


def politely(q: dict, rng: random.Random) -> dict:
    """``q`` asked through a lead-in: "Can you tell me who won?"."""
    text = q["question"]
    return {**q, "question": rng.choice(POLITE) + text[:1].lower() + text[1:]}


def lowered(q: dict) -> dict:
    """``q`` typed in lower case, without a closing question mark."""
    return {**q, "question": q["question"].lower().rstrip().rstrip("?").rstrip(),
            "history": [h.lower() for h in q["history"]]}


def by_split(records: list[dict]) -> dict:
    out = {}
    for split in sorted({r.get("split") or "all" for r in records}):
        rs = [r for r in records if (r.get("split") or "all") == split]
        ans = [r for r in rs if r["answerable"]]
        out[split] = {
            "hit@1": round(sum(bool(r["correct"]) for r in ans) / len(ans), 3),
            "wrongly_abstained": sum(bool(r["abstained"]) for r in ans),
            "unanswerable_abstained": sum(bool(r["abstained"]) for r in rs if not r["answerable"]),
            "disagreements_found": sum(bool(r["disagreements"]) for r in rs if r["kind"] == "disagreement"),
            "false_alarms": sum(bool(r["disagreements"]) for r in rs if r["kind"] != "disagreement"),
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", default=str(ROOT / "seeds" / "questions.jsonl"))
    ap.add_argument("--index", default=str(ROOT / "index"))
    ap.add_argument("--variant", choices=("typo", "lower", "polite"), default="typo")
    ap.add_argument("--seed", type=int, default=1, help="for --variant typo and polite")
    ap.add_argument("--json")
    args = ap.parse_args()

    from qa.answer.engine import Assistant
    from qa.evaluation.evaluate import evaluate, load_questions

    questions = load_questions(args.questions)
    rng = random.Random(args.seed)
    other = [{**q, "question": with_typo(q["question"], rng)} if args.variant == "typo"
             else politely(q, rng) if args.variant == "polite" else lowered(q) for q in questions]
    a = Assistant(args.index)
    changed = sum(t["question"] != q["question"] for t, q in zip(other, questions))
    report = {"variant": args.variant, "seed": args.seed, "changed": changed}
    for name, qs in (("as written", questions), (args.variant, other)):
        records = evaluate(a, qs, progress=False)["questions"]
        report[name] = by_split(records)
        report[name + " (right first answers)"] = sorted(r["id"] for r in records if r["correct"])
    lost = sorted(set(report["as written (right first answers)"]) - set(report[args.variant + " (right first answers)"]))
    report["right as written, wrong as " + args.variant] = lost
    seed = f" (seed {args.seed})" if args.variant != "lower" else ""
    print(f"{changed} of {len(questions)} questions changed: {args.variant}{seed}")
    for name in ("as written", args.variant):
        for split, m in report[name].items():
            print(f"{name:10s} {split:6s} " + "  ".join(f"{k} {v}" for k, v in m.items()))
    print(f"right as written, wrong as {args.variant}:", " ".join(lost) or "none")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
