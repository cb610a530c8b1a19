"""People for the accounts and portal tests (the shared factory, re-exported)."""

from tests.factories import PASSWORD, UserFactory

__all__ = ["PASSWORD", "UserFactory"]
