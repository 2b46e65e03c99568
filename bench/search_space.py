"""The fusion-weight search space shared by bench/tune.py and bench/reqa_squad.py --study.

A trial spreads a total weight of 1 over the similarity features (Dirichlet, rounded to
0.05) and draws the penalty for a sentence that cannot supply the answer type from a grid.
"""
from __future__ import annotations

import numpy as np

from qa.answer.retrieve import FEATURES, SIMILARITIES

# The time penalty is held at its hand-set value: the tuning halves cannot tell its weights
# apart (docs/tuning.md), so a search would pick one at random.
GRIDS = {"type_mismatch": (0.0, -0.1, -0.2, -0.3), "time_mismatch": (-0.1,)}
assert FEATURES == SIMILARITIES + tuple(GRIDS)


def random_weights(rng: np.random.Generator) -> np.ndarray:
    """One weight vector, aligned with ``FEATURES``."""
    sims = np.round(rng.dirichlet(np.ones(len(SIMILARITIES))) / 0.05) * 0.05
    return np.concatenate([sims, [rng.choice(g) for g in GRIDS.values()]])


def as_dict(w: np.ndarray) -> dict[str, float]:
    return {n: round(float(x), 2) for n, x in zip(FEATURES, w)}
