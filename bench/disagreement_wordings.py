"""Do the disagreements of the seed articles survive other wordings of their questions?

    .venv/bin/python bench/disagreement_wordings.py [--index index] [--k 3] [--json OUT]

For each disagreement the seed articles hold, a few questions written for this check (none
of them in seeds/questions.jsonl) are asked once (k = 3, the chat's default); a wording counts
as found when a disagreement of the expected kind is reported. The kinds the rules do not
look for yet are listed too, so the table shows what is missed. Then 25 questions that do
not ask about a difference are asked, and any label on them is printed (docs/evaluation.md).
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
    ("'machismo' from Unite / from Momentum and Unite", "attribution",
     ("Who said the purge was an act of machismo?", "Which groups described the ban as machismo?",
      "Who accused Labour of political machismo?")),
    ("how Momentum's 2022 statement goes on (not looked for)", "wording",
     ("What did Momentum say Starmer should be doing?", "What did Momentum say the leadership was obsessing over?",
      "What did Momentum's statement say in March 2022?")),
)


# Questions of mine about the articles that do not ask about a difference: a label on them is
# a false alarm, or at best true of the articles but beside the question.
PROBES = ("Why was Corbyn suspended?", "What did the equalities watchdog find?", "Who leads Labour?",
          "What happened at the NEC meeting?", "Which groups were banned in 2021?",
          "What is the Labour In Exile Network?", "What did Momentum say about the expulsions?",
          "What did Unite say about the purge?", "Why were the groups banned?",
          "What did Labour say about the banned groups?", "How long did the meeting last?",
          "Who protested outside Labour HQ?", "What is Socialist Appeal?", "What did Clive Lewis tweet?",
          "What did the Jewish Labour Movement say about the ban?", "Is Corbyn still a Labour MP?",
          "What did McDonnell call for?", "Which group was banned for links to Trotskyism?",
          "What did Starmer say?", "What is the Alliance for Workers' Liberty?",
          # who said it: one speaker in every outlet, or outlets quoting different things
          "Who said the groups were not compatible with Labour's values?", "Who described the AWL as entryist?",
          "Who called the move morally important?", "Who warned that this will only be the start?",
          "Who said Labour is a broad, welcoming and democratic party?")


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
    labelled = []
    for q in PROBES:
        kinds = [d.kind for d in a.ask(q, k=args.k).disagreements]
        if kinds:
            labelled.append({"question": q, "reported": kinds})
            print(f"  probe labelled: {q}\t{kinds}")
    print(f"probes: {len(labelled)} of {len(PROBES)} labelled")
    if args.json:
        Path(args.json).write_text(json.dumps({"k": args.k, "found": total, "asked": asked, "rows": rows,
                                               "probes": len(PROBES), "probes_labelled": labelled}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
