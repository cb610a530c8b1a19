"""Storing matches, and the checks at company verification, application submit, tranche request and
claim submit: the records the action touches against the registry (matches.finders, a few indexed
queries). A check never refuses anything itself: the gates (matches.gates) do, on the steps that move
a case on. What a check found is an open match, audited; nobody outside the staff is told."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import workflow

from .. import finders
from ..events import MatchEvent
from ..models import Match
from ..rules import RULE_BY_CODE

if TYPE_CHECKING:
    from grants.models import Application, Tranche, UtilityClaim
    from spaces.models import Operator

STORE_BATCH = 1000


def _existing(keys: list[tuple[str, int, int, int, int]]) -> set[tuple[str, int, int, int, int]]:
    """Which of these (rule, left type, left id, right type, right id) are stored already: one query
    for a check's few keys (the unique index of the pairs), one per 500 left ids in a sweep."""
    wanted = set(keys)
    rules = sorted({key[0] for key in keys})
    left_types = sorted({key[1] for key in keys})
    left_ids = sorted({key[2] for key in keys})
    found: set[tuple[str, int, int, int, int]] = set()
    for start in range(0, len(left_ids), finders.CHUNK):
        rows = Match.objects.filter(
            rule__in=rules, left_type_id__in=left_types, left_id__in=left_ids[start : start + finders.CHUNK]
        ).values_list("rule", "left_type_id", "left_id", "right_type_id", "right_id")
        found.update(row for row in rows if row in wanted)
    return found


def store_matches(candidates: Iterable[finders.Candidate], *, found_by: str, actor: Any = None) -> list[Match]:
    """Store the candidates not stored yet (unique by rule and ordered pair) as open matches, each with
    its audit event `match.found`. Returns the new ones. Idempotent: the same candidates again store
    nothing; a concurrent check storing the same pair loses quietly."""
    unique: dict[tuple[str, int, int, int, int], finders.Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.key, candidate)
    if not unique:
        return []
    stored = _existing(list(unique))
    fresh = [candidate for key, candidate in unique.items() if key not in stored]
    now = timezone.now()
    created: list[Match] = []
    for start in range(0, len(fresh), STORE_BATCH):
        rows = []
        for candidate in fresh[start : start + STORE_BATCH]:
            left, right = candidate.ordered()
            rows.append(
                Match(
                    rule=candidate.rule,
                    kind=RULE_BY_CODE[candidate.rule].kind,
                    left_type_id=left.type_id,
                    left_id=left.obj_id,
                    left_operator_id=left.operator_id,
                    right_type_id=right.type_id,
                    right_id=right.obj_id,
                    right_operator_id=right.operator_id,
                    value=candidate.value[:300],
                    detail=candidate.detail,
                    found_at=now,
                    found_by=found_by,
                )
            )
        with transaction.atomic():
            try:
                with transaction.atomic():
                    batch = Match.objects.bulk_create(rows)
            except IntegrityError:  # a concurrent check stored one of them first: one by one
                batch = []
                for row in rows:
                    try:
                        with transaction.atomic():
                            row.save(force_insert=True)
                        batch.append(row)
                    except IntegrityError:
                        continue
            for match in batch:
                workflow.record(
                    actor=actor or "system",
                    event=MatchEvent.FOUND,
                    obj=match,
                    to_state=match.state,
                    data={
                        "rule": match.rule,
                        "kind": match.kind,
                        "found_by": found_by,
                        "operators": [match.left_operator_id, match.right_operator_id],
                    },
                    at=now,
                )
        created.extend(batch)
    return created


def matches_check_operator(*, operator: Operator, actor: Any = None) -> list[Match]:
    """At company verification: the company's identifiers, people, spaces and legal name."""
    return store_matches(finders.for_operator(operator), found_by="company verification", actor=actor)


def matches_check_application(*, application: Application, actor: Any = None) -> list[Match]:
    """At application submit: the company's identifiers, people and spaces, the enrolled connections
    and the documents (seven indexed queries; the legal name is compared at company verification)."""
    return store_matches(finders.for_application(application), found_by="application submit", actor=actor)


def matches_check_tranche(*, tranche: Tranche, actor: Any = None) -> list[Match]:
    """At a tranche request: its evidence files."""
    return store_matches(finders.for_tranche(tranche), found_by="tranche request", actor=actor)


def matches_check_claim(*, claim: UtilityClaim, actor: Any = None) -> list[Match]:
    """At a utility claim: its bill file, the same bill in another month, its connection elsewhere."""
    return store_matches(finders.for_claim(claim), found_by="utility claim", actor=actor)
