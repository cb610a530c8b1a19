"""Signed, expiring links that prove a person can read the mail sent to an address.

The token carries the user's id and the address it was sent to, signed with SECRET_KEY and a salt of
its own (so a token made for another purpose never passes here) and stamped with the time it was made.
Changing the address makes older links useless; they expire after VERIFY_EMAIL_MAX_AGE.
"""

import datetime as dt

from django.core import signing

VERIFY_EMAIL_SALT = "accounts.verify-email"
VERIFY_EMAIL_MAX_AGE = dt.timedelta(days=3)


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def verify_email_token_make(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email.lower()}, salt=VERIFY_EMAIL_SALT, compress=True)


def verify_email_token_read(token: str) -> tuple[int, str]:
    """Return (user_id, email) from a token, or raise TokenExpired / TokenInvalid."""
    try:
        payload = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=VERIFY_EMAIL_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    try:
        return int(payload["u"]), str(payload["e"])
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid from None
