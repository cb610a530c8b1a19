"""The nightly sweep over the whole registry (`manage.py find_duplicates`, the Celery beat task
`matches.tasks.find_duplicates`): every rule, set-based (matches.finders), each rule's new matches
stored in its own transaction. Idempotent: a second run stores nothing."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import finders
from ..rules import RULES
from .checks import store_matches


@dataclass
class SweepResult:
    found: dict[str, int] = field(default_factory=dict)  # candidates per rule
    new: dict[str, int] = field(default_factory=dict)  # stored by this run
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_new(self) -> int:
        return sum(self.new.values())


def matches_sweep(*, rules: Iterable[str] | None = None, actor: str = "system: nightly sweep") -> SweepResult:
    """Run the rules (all by default) over everything and store what is new."""
    wanted = set(rules) if rules else None
    result = SweepResult()
    for rule in RULES:
        if wanted is not None and rule.code not in wanted:
            continue
        started = time.perf_counter()
        candidates = list(finders.SWEEPS[rule.code]())
        result.found[rule.code] = len(candidates)
        result.new[rule.code] = len(store_matches(candidates, found_by="nightly sweep", actor=actor))
        result.seconds[rule.code] = round(time.perf_counter() - started, 3)
    return result
