"""Argon2id with its cost taken from settings (issue #23).

Django's Argon2PasswordHasher is Argon2id with fixed class attributes; this one reads them from
ARGON2_MEMORY_KIB, ARGON2_TIME_COST and ARGON2_PARALLELISM, so the cost is chosen by the deployment
(and documented), not by a library default. Its algorithm name stays "argon2", so hashes made by
either verify with the other, and Django's `must_update` rehashes a stored hash whose parameters
differ from the settings at the person's next sign-in (as it does for a PBKDF2 hash).
"""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    @property  # type: ignore[override]
    def memory_cost(self) -> int:
        return int(settings.ARGON2_MEMORY_KIB)

    @property  # type: ignore[override]
    def time_cost(self) -> int:
        return int(settings.ARGON2_TIME_COST)

    @property  # type: ignore[override]
    def parallelism(self) -> int:
        return int(settings.ARGON2_PARALLELISM)
