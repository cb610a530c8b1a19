"""Running calls at the same moment in threads, each on its own database connection (PostgreSQL)."""

import threading

from django.db import connections

from core.errors import DomainError


def race(*calls, timeout: float = 60):
    """Start every call together; return one outcome per call, in order: ("ok", result),
    ("refused", DomainError) or ("error", any other exception — for the assertions to report)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("ok", call())
        except DomainError as error:
            outcomes[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 — reported by the assertions, not swallowed
            outcomes[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
