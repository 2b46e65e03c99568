"""Would "abstain when the first answer lacks the value asked for" hold? Tuning halves only.

    .venv/bin/python bench/asked_value_check.py --squad ../shared/data/squad/dev-v1.1.json [--json OUT]

The product marks such an answer "unsure" (qa/answer/retrieve.py ``lacks_asked_value``: a
count of what "how many X" counts, a date, a length of time, a sum of money; asked who did
something or when, a word of what was done, sessions 11 and 14). Abstaining
instead would need it to be rare among right answers. This lists the news tune questions
whose first answer lacks the asked value, and counts, on SQuAD-even (all answerable), how
many right first answers to questions of each kind lack it (docs/tuning.md, session 7).

With the answer model on, each such first answer also carries the model's probability, and
``--gates`` counts what "abstain when it lacks the value and the model's probability is
below G" would catch and lose on both halves (docs/tuning.md, sessions 10 and 11; per kind
in ``squad_even``, and per kind in each gate's ``squad_even_right_first_lost_by_kind``).

``squad_even_no_quantity`` counts the questions asking how many or how much
(``retrieve.asks_count``) where neither the first answer nor one scoring near it says any
quantity (``abstention.counts_nothing``): those the product withholds whatever the model
says (session 18).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import add_tuning_halves, squad_even  # noqa: E402
from qa.evaluation.evaluate import load_questions  # noqa: E402
from qa.answer.abstention import counts_nothing  # noqa: E402
from qa.answer.retrieve import asks_any_number, asks_count, lacks_asked_value  # noqa: E402


def first_answer(a, question: str, history=()):
    """(query, the first ranked sentence row, the answer model's probability of it, the
    whole ranking) for a question, or (query, None, nan, None); nan too when the stage is off."""
    query = a.query(question, list(history))
    ranked = a._rank(query, {})
    if ranked is None:
        return query, None, float("nan"), None
    return query, int(ranked[0][0]), float(ranked[2][0]), ranked


def kind_of(query) -> str | None:
    if query.counted is not None:
        return "count"
    if query.relation and query.kind == "person":
        return "who"
    if asks_any_number(query):
        return "how many"
    return query.kind if query.kind in ("date", "duration", "money") else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_tuning_halves(ap)
    ap.add_argument("--gates", type=float, nargs="*", default=[0.05, 0.1, 0.2, 0.3, 0.5])
    ap.add_argument("--json")
    args = ap.parse_args()
    from qa.answer.engine import Assistant

    a = Assistant(args.index).warm_up()
    news = []
    for q in load_questions(args.questions, "tune"):
        query, row, prob, _ = first_answer(a, q["question"], q.get("history", []))
        if row is not None and lacks_asked_value(query, a.sentence_text(row)):
            news.append({"id": q["id"], "answerable": q["answerable"], "question": q["question"], "prob": prob})
            print(f"news tune: {q['id']} {'answerable' if q['answerable'] else 'unanswerable'} "
                  f"p={prob:.3f}: {q['question']}")
    sq, questions, keys, golds = squad_even(args.squad, args.squad_index, a)
    counts: Counter = Counter()
    lacking_right: list[tuple[str, float]] = []   # (kind, the model's probability) of right first answers lacking it
    no_quantity: Counter = Counter()              # (right first?, says no quantity?) of count questions
    for q, gold in zip(questions, golds):
        query, row, prob, ranked = first_answer(sq, q.text.strip())
        if row is not None and asks_count(query):
            no_quantity[(bool(keys[row] in gold), counts_nothing(sq, query, ranked))] += 1
        kind = kind_of(query)
        if kind is None or row is None:
            continue
        right, lacks = bool(keys[row] in gold), lacks_asked_value(query, sq.sentence_text(row))
        counts[(kind, right, lacks)] += 1
        if right and lacks:
            lacking_right.append((kind, prob))
    squad = {}
    for kind in ("count", "date", "duration", "money", "who", "how many"):
        right = counts[(kind, True, True)] + counts[(kind, True, False)]
        squad[kind] = {"right_first": right, "right_first_lacking": counts[(kind, True, True)],
                       "wrong_first": counts[(kind, False, True)] + counts[(kind, False, False)],
                       "wrong_first_lacking": counts[(kind, False, True)]}
        print(f"SQuAD-even {kind}: {squad[kind]['right_first_lacking']} of {right} right first answers lack "
              f"the value ({squad[kind]['right_first_lacking'] / max(1, right):.2f})")
    none_told = {"questions": sum(no_quantity.values()),
                 "right_first": no_quantity[(True, True)] + no_quantity[(True, False)],
                 "right_first_withheld": no_quantity[(True, True)],
                 "wrong_first": no_quantity[(False, True)] + no_quantity[(False, False)],
                 "wrong_first_withheld": no_quantity[(False, True)]}
    print(f"SQuAD-even, asked how many or how much: {none_told['right_first_withheld']} of "
          f"{none_told['right_first']} right first answers withheld (no quantity near the best), "
          f"{none_told['wrong_first_withheld']} of {none_told['wrong_first']} wrong ones")
    gates = {}
    for g in args.gates:
        gates[str(g)] = {
            "news_tune_unanswerable_caught": [r["id"] for r in news if not r["answerable"] and r["prob"] < g],
            "news_tune_answerable_lost": [r["id"] for r in news if r["answerable"] and r["prob"] < g],
            "squad_even_right_first_lost": sum(p < g for _, p in lacking_right),
            "squad_even_right_first_lost_by_kind": dict(Counter(k for k, p in lacking_right if p < g)),
            "squad_even_questions": len(questions)}
        print(f"gate {g}: news tune unanswerable caught {len(gates[str(g)]['news_tune_unanswerable_caught'])}, "
              f"answerable lost {len(gates[str(g)]['news_tune_answerable_lost'])}; SQuAD-even right first "
              f"answers lost {gates[str(g)]['squad_even_right_first_lost']} of {len(questions)} questions")
    if args.json:
        Path(args.json).write_text(json.dumps({"news_tune_lacking": news, "squad_even": squad,
                                               "squad_even_no_quantity": none_told, "gates": gates},
                                              indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
