"""Sign-in throttling (django-axes) behind the TLS proxy.

Behind the proxy every request's REMOTE_ADDR is the proxy's own address, so axes counted everyone as
one client: five wrong passwords locked the chair out for everyone, and guessing one password across
many accounts was never locked. Two pieces put that right (security issue #14):

- `client_ip_address` (AXES_CLIENT_IP_CALLABLE) reads the client's address from X-Forwarded-For,
  trusting exactly TRUSTED_PROXY_COUNT proxies in front of the site: the address the outermost of them
  saw is the last-but-(N-1) entry of the header. Entries to its left are written by the client and
  never trusted. With TRUSTED_PROXY_COUNT=0 (no proxy: the demo) the header is ignored altogether.
- `LockoutHandler` (AXES_HANDLER) locks on two counts: AXES_FAILURE_LIMIT failures for one account
  from one address, or AXES_ADDRESS_FAILURE_LIMIT failures from one address across all accounts (a
  password spray). A successful sign-in clears the first count only, so an attacker cannot clear the
  second by signing in to an account of their own.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip_address(request) -> str | None:
    """The client's address, trusting TRUSTED_PROXY_COUNT proxies' X-Forwarded-For entries."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = _valid(forwarded[-count])
            if address:
                return address
    return _valid(remote) if remote else None


class LockoutHandler(AxesDatabaseHandler):
    """Needs AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]] (in that order)."""

    def _counts(self, request, credentials) -> tuple[int, int]:
        per_account, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return per_account, per_address

    def get_failures(self, request, credentials=None) -> int:
        per_account, per_address = self._counts(request, credentials)
        if per_address >= int(getattr(settings, "AXES_ADDRESS_FAILURE_LIMIT", 30)):
            # Report at least the lock-out limit: axes compares this one number with AXES_FAILURE_LIMIT.
            return max(per_account, get_failure_limit(request, credentials))
        return per_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_account = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_account.delete()
        return count
