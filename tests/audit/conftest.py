# The grants fixtures (people, programs, calls) are shared with the audit tests.
from tests.grants.conftest import *  # noqa: F403
