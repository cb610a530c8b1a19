"""The expected cells of a permission-matrix test, read from the concern's `PermissionTable` and the
model's own transitions, so no test keeps a copy of who may do what.

A test says only what the table cannot know: who each of its people is *for the object under test*
(`standing`: the table roles the object-level rule lets them act with, and "members" for the people of
the company the object belongs to) and which (person, action) pairs an object-level rule refuses
whatever the role (four-eyes). The test then walks every cell through the real services: the cells
read here must succeed, every other cell must be refused.
"""

from collections.abc import Collection, Mapping

from django.db import models

from core.workflow import PermissionTable


def sources(model: type[models.Model], action: str, state_field: str = "state") -> frozenset[str]:
    """The states the transition `action` of `model` starts from, as django-fsm has them."""
    field = model._meta.get_field(state_field)
    found = frozenset(str(t.source) for t in field.get_all_transitions(model) if t.name == action)
    assert found, f"{model.__name__} has no transition {action!r}"
    return found


def allowed(
    table: PermissionTable,
    model: type[models.Model],
    standing: Mapping[str, Collection[str]],
    *,
    refused: Collection[tuple[str, str]] = (),
) -> set[tuple[str, str, str]]:
    """(person, action, state) for every cell `table` allows: a person whose standing holds a role of
    the action's row (`table.cells()`), in the states the row names or else the transition's sources,
    less the pairs in `refused`."""
    cells = set(table.cells())
    result = set()
    for action, rule in table.rules.items():
        states = rule.states or sources(model, action)
        for person, held in standing.items():
            if (person, action) not in refused and any((role, action) in cells for role in held):
                result |= {(person, action, state) for state in states}
    return result
