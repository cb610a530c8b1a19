"""Fixtures of the integrity tests, from one module per half (grievance_fixtures.py; the visits add
theirs beside): imported here so every test module finds them."""

from .grievance_fixtures import (  # noqa: F401 - fixtures pytest finds by name
    department,
    filer,
    head,
    inspector,
    integrity_officer,
    monday,
    operator,
    other_filer,
    second_officer,
)
from .visit_fixtures import (  # noqa: F401 - fixtures pytest finds by name
    association,
    departments,
    inspectors,
    liaison,
    lone_space,
    officer,
    operator_user,
    other_liaison,
    pra_inspector,
    space,
)
