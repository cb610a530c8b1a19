"""gunicorn configuration for `bench/deadline_day.py --profile DIR` (issue #23: "use the profiler's
evidence, not guesses"). Not for production: it only wraps each request of a sync worker in cProfile,
measuring this process's CPU time.

Each worker profiles every request it serves between gunicorn's pre_request and post_request hooks
(the WSGI call and the writing of its body), keyed by method and path with the application's reference
and numbers replaced (`POST /portal/applications/<ref>/documents/`), and on exit writes one pstats
file per key into SAHULAT_PROFILE_DIR. deadline_day.py merges the workers' files and prints, per
step, where the time went.
"""

import cProfile
import os
import re
import time

_profiles: dict[str, cProfile.Profile] = {}
_cpu: dict[str, list[float]] = {}
_running: dict[str, object] = {}


def _key(method: str, path: str) -> str:
    path = re.sub(r"/[A-Z]+-\d{4}-\d{5}/", "/<ref>/", path.split("?", maxsplit=1)[0])
    path = re.sub(r"/\d+/", "/<n>/", path)
    return f"{method} {path}"


def pre_request(worker, req) -> None:
    if dict(req.headers).get("USER-AGENT") != "sahulat-deadline-day":
        return  # the warm-up
    key = _key(req.method, req.path)
    # CPU time, not wall time: waiting for PostgreSQL is PostgreSQL's CPU, counted apart by the load test.
    profile = _profiles.setdefault(key, cProfile.Profile(time.process_time))
    _running["key"] = key
    _running["cpu"] = time.process_time()
    profile.enable()


def post_request(worker, req, environ, resp) -> None:
    key = _running.pop("key", None)
    if key is None:
        return
    _profiles[key].disable()
    _cpu.setdefault(key, []).append(time.process_time() - _running.pop("cpu"))


def worker_exit(server, worker) -> None:
    directory = os.environ["SAHULAT_PROFILE_DIR"]
    for number, (key, profile) in enumerate(_profiles.items()):
        safe = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")
        profile.dump_stats(os.path.join(directory, f"{os.getpid()}-{number}-{safe}.prof"))
        with open(os.path.join(directory, f"{os.getpid()}-{number}-{safe}.key"), "w") as out:
            out.write(f"{key}\n{len(_cpu[key])}\n{sum(_cpu[key])}\n")
