"""Do the disagreements of the seed articles survive other wordings of their questions?

    .venv/bin/python bench/disagreement_wordings.py [--index index] [--k 3] [--json OUT]

For each disagreement the seed articles hold, a few questions written for this check (none
of them in seeds/questions.jsonl) are asked once (k = 3, the chat's default); a wording counts
as found when a disagreement of the expected kind is reported. The kinds the rules do not
look for yet are listed too, so the table shows what is missed (docs/evaluation.md).
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

# (what differs between the outlets, the kind expected, wordings)
WORDINGS = (
    ("how many members would be expelled: 1,000 / hundreds", "figures",
     ("How many members could be expelled?", "How many far-left supporters will be expelled?",
      "How many people face expulsion from Labour?", "How many members could lose their membership?",
      "How many Corbyn supporters face being thrown out?")),
    ("Momentum's quote: hundreds of / hundreds more investigations", "wording",
     ("What did Momentum warn the bans would create?", "What would the proscriptions lead to, according to Momentum?",
      "What did Momentum say about investigations into members?", "How did Momentum respond to the latest proscriptions?",
      "What did Momentum say the bans would cause?")),
    ("the group's name: Labour In Exile / Labour in Exile Network", "naming",
     ("What is the name of the group that welcomes expelled members?", "Which banned group welcomes suspended members?",
      "What is the group for expelled Labour members called?", "Name the group that actively welcomes expelled members.")),
    ("who said the groups were run by expelled people: Labour / insiders", "attribution",
     ("Who was said to be running some of the proscribed groups?", "Who runs some of the banned groups, according to Labour?",
      "Who did the party claim directed the groups?", "Which people were some of the groups run by?")),
    ("McDonnell's verdict: 'bizarre' and 'desperate' / a 'standard Blairite' tactic", "wording",
     ("How did John McDonnell react to the expulsions?", "What did McDonnell think of the purge?",
      "What was John McDonnell's reaction to the bans?", "What did the former shadow chancellor McDonnell say about it?")),
    ("Corbyn suspended from the party / from the party whip", "detail",
     ("What is Corbyn suspended from?", "Is Jeremy Corbyn suspended from the party?",
      "Has Corbyn lost the Labour whip?", "Is Corbyn still suspended?")),
    ("'machismo' from Unite / from Momentum and Unite (not looked for)", "attribution",
     ("Who said the purge was an act of machismo?", "Which groups described the ban as machismo?",
      "Who accused Labour of political machismo?")),
    ("how Momentum's 2022 statement goes on (not looked for)", "wording",
     ("What did Momentum say Starmer should be doing?", "What did Momentum say the leadership was obsessing over?",
      "What did Momentum's statement say in March 2022?")),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="index")
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--json", help="write every wording's reported kinds here")
    args = ap.parse_args()
    from qa.answer.engine import Assistant

    a = Assistant(args.index)
    rows, total, asked = [], 0, 0
    for what, kind, questions in WORDINGS:
        found = 0
        for q in questions:
            kinds = [d.kind for d in a.ask(q, k=args.k).disagreements]
            found += kind in kinds
            rows.append({"disagreement": what, "expected": kind, "question": q, "reported": kinds})
            print(f"  {q}\t{kinds}")
        total, asked = total + found, asked + len(questions)
        print(f"{what} ({kind}): {found} of {len(questions)}")
    print(f"all: {total} of {asked} wordings")
    if args.json:
        Path(args.json).write_text(json.dumps({"k": args.k, "found": total, "asked": asked, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
