"""Does the figures disagreement of the seed articles survive other wordings of its question?

    .venv/bin/python bench/disagreement_wordings.py [--index index] [--k 3]

The seed articles give "as many as 1,000" and "hundreds" for how many members would be
expelled. These five wordings are not in seeds/questions.jsonl; each is asked once (k = 3, the
chat's default) and the kinds of disagreement reported are printed (docs/evaluation.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_k, _v)

WORDINGS = ("How many members could be expelled?", "How many far-left supporters will be expelled?",
            "How many people face expulsion from Labour?", "How many members could lose their membership?",
            "How many Corbyn supporters face being thrown out?")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--k", type=int, default=3)
    args = ap.parse_args()
    from qa.answer.engine import Assistant

    a = Assistant(args.index)
    found = 0
    for q in WORDINGS:
        kinds = [d.kind for d in a.ask(q, k=args.k).disagreements]
        found += "figures" in kinds
        print(f"{q}\t{kinds}")
    print(f"figures disagreement reported for {found} of {len(WORDINGS)} wordings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
