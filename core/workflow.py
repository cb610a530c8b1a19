"""The one path every state change takes.

    lock the row (the service, `lock`) → who may act (the concern's permission table, then the
    object-level guard) → the state (django-fsm's public `can_proceed`) → the transition's own
    `permission=` and `conditions=` (`has_transition_perm`, `can_proceed`) → run it → save (a
    concurrent change is refused, not lost) → the audit event, named from a catalogue → what to do
    once the transaction commits (notifications, hooks).

A service calls `transition(...)` inside its `transaction.atomic()` block, on a row it locked with
`lock(...)`. Nothing else saves a state-carrying model or writes an audit event for a state change.

Who may act lives in one `PermissionTable` per concern (`grants/permissions.py`,
`finance/permissions.py`, ...): role × action × state. The table feeds the `@transition(permission=)`
predicates (`table.predicate(action)`), the views that show or hide an action (`table.allows`), and the
permission-matrix tests (which read the table instead of keeping their own copy).

`core` imports no app: the audit writer is registered by the audit app when Django starts
(`audit.apps.AuditConfig.ready` calls `register_audit_writer`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from .errors import InvalidTransition, PermissionDenied

M = TypeVar("M", bound=models.Model)


class AuditWriter(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        action: str,
        obj: models.Model,
        from_state: str = "",
        to_state: str = "",
        reason: str = "",
        data: dict | None = None,
        at: Any = None,
    ) -> Any: ...


_audit_writer: AuditWriter | None = None


def register_audit_writer(writer: AuditWriter) -> None:
    """Called once by the audit app at start-up: the function that appends an event to the chain."""
    global _audit_writer  # noqa: PLW0603 - one writer per process, set at start-up
    _audit_writer = writer


def record(
    *,
    actor: Any,
    event: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    at: Any = None,
) -> Any:
    """Append one audit event for a change that is not a state transition (an edit, an upload, a
    money movement), inside the caller's transaction. `event` comes from the concern's catalogue."""
    if _audit_writer is None:  # pragma: no cover - the audit app is always installed
        raise RuntimeError("No audit writer is registered: is the audit app installed?")
    return _audit_writer(
        actor=actor,
        action=str(event.value if isinstance(event, enum.Enum) else event),
        obj=obj,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=dict(data or {}),
        at=at,
    )


# --- who may act ------------------------------------------------------------------------------------


def is_active_person(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and bool(getattr(user, "is_active", False))


@dataclass(frozen=True)
class Rule:
    """One row of a permission table: the roles that may take `action`, from which states (all the
    transition's sources when empty), and what a person without the role is told."""

    action: str
    roles: frozenset[str]
    refusal: str | Promise
    states: frozenset[str] = frozenset()
    system: bool = False  # also taken by the system (a hook, a scheduled job), with no person
    # Taken by the people of the company the object belongs to, whatever role they hold: the
    # object-level predicate (membership) decides, not a role.
    members: bool = False


@dataclass
class PermissionTable:
    """Who may take each action of one concern: role × action × state, in one place."""

    concern: str
    rules: dict[str, Rule] = field(default_factory=dict)

    @classmethod
    def of(cls, concern: str, rules: Iterable[Rule]) -> PermissionTable:
        return cls(concern, {rule.action: rule for rule in rules})

    def rule(self, action: str) -> Rule:
        try:
            return self.rules[action]
        except KeyError:
            raise KeyError(f"{self.concern}: no rule for action {action!r}") from None

    def role_allows(self, user: Any, action: str) -> bool:
        """Whether `user` holds a role that may take `action` at all (no object, no state)."""
        rule = self.rule(action)
        if user is None or isinstance(user, str):
            return rule.system
        if rule.members:
            return is_active_person(user)
        return is_active_person(user) and any(user.has_role(role) for role in rule.roles)

    def allows(self, user: Any, action: str, state: str | None = None) -> bool:
        """Role and state: what a view asks before it shows an action's button."""
        rule = self.rule(action)
        return self.role_allows(user, action) and (state is None or not rule.states or state in rule.states)

    def require(self, user: Any, action: str) -> None:
        if not self.role_allows(user, action):
            raise PermissionDenied(self.rule(action).refusal)

    def predicate(self, action: str) -> Callable[[Any, Any], bool]:
        """The `permission=` of a `@transition`: the role check of this table's row for `action`."""

        def permitted(instance: Any, user: Any) -> bool:
            return self.role_allows(user, action)

        permitted.__name__ = f"{self.concern}_{action}_permitted"
        permitted.__qualname__ = permitted.__name__
        return permitted

    def cells(self) -> Iterable[tuple[str, str]]:
        """(role, action) for every allowed pair: what the permission-matrix tests walk."""
        for rule in self.rules.values():
            if rule.members:
                yield "members", rule.action
            for role in sorted(rule.roles):
                yield role, rule.action


# --- the transition ---------------------------------------------------------------------------------


def lock(model: type[M], pk: Any, *, gone: str | Promise) -> M:
    """The row, locked until the transaction ends (PostgreSQL; SQLite has one writer at a time)."""
    try:
        return model._default_manager.select_for_update().get(pk=pk)
    except ObjectDoesNotExist:
        raise InvalidTransition(gone) from None


@dataclass
class Step:
    """What the caller says about one transition; `transition()` does the rest."""

    name: str  # the @transition method
    event: str  # from the concern's audit catalogue (a TextChoices member)
    kwargs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: Any = None
    state_field: str = "state"


def transition(
    obj: M,
    step: Step,
    *,
    actor: Any,
    table: PermissionTable | None,
    guard: Callable[[M, Any], None] | None = None,
    rules: Callable[[M, Any], None] | None = None,
    wrong_state: str | Promise | None = None,
    unmet: str | Promise | None = None,
    raced: str | Promise | None = None,
    on_commit: Callable[[], None] | None = None,
    audit_obj: models.Model | None = None,
) -> str:
    """Take one transition on a locked row and record it. Returns the state it left.

    Order of the checks, each with its own refusal: the role (the table) and the object-level `guard`
    (whose company; so a person who may not act learns nothing of the state), the state
    (`wrong_state`), the concern's `rules` for this state (separation of duties; raises), the
    transition's own `permission=` and `conditions=` (`unmet`). A concurrent change of the same row
    is refused with `raced`. The event is recorded on `obj`, or on `audit_obj` where the concern keeps
    one timeline for a case (a tranche's steps on its application). Must run inside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("core.workflow.transition must run inside the service's transaction.")
    method = getattr(obj, step.name)
    if table is not None:
        table.require(actor, step.name)
    if guard is not None:
        guard(obj, actor)
    if not can_proceed(method, check_conditions=False):
        raise InvalidTransition(wrong_state or _("This cannot be done in its current state."))
    if rules is not None:
        rules(obj, actor)
    user = actor if is_active_person(actor) else None
    if user is not None and not has_transition_perm(method, user):
        raise PermissionDenied(table.rule(step.name).refusal if table else _("You may not do this."))
    if not can_proceed(method):
        raise InvalidTransition(unmet or _("What this step needs is not there yet."))
    from_state = str(getattr(obj, step.state_field))
    method(**step.kwargs)
    try:
        obj.save()
    except ConcurrentTransition:
        raise InvalidTransition(raced or _("Someone else changed this at the same moment; reload it.")) from None
    record(
        actor=actor,
        event=step.event,
        obj=audit_obj if audit_obj is not None else obj,
        from_state=from_state,
        to_state=str(getattr(obj, step.state_field)),
        reason=step.reason,
        data=step.data,
        at=step.at or timezone.now(),
    )
    if on_commit is not None:
        transaction.on_commit(on_commit)
    return from_state
