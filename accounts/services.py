"""Writes to accounts: public sign-up, email verification and the granting of roles.

A person who signs up gets an account that cannot sign in yet (`email_verified_at` is None). Following
the signed link sent to the address proves they read mail there; only then do they get the operator
role and a session. Every change writes an audit event in its own transaction.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.events import AccountEvent
from core import workflow
from spaces.validators import normalize_mobile

from . import roles
from .models import User
from .tasks import send_verification_email
from .tokens import TokenExpired, TokenInvalid, verify_email_token_read

# A new link for one address at most once a minute: the resend page is public, and without a limit
# it could be used to flood someone's mailbox.
RESEND_INTERVAL_SECONDS = 60


class AccountError(Exception):
    """A business rule refused the change; the message is safe to show the person."""

    def __init__(self, message: StrOrPromise):
        super().__init__(message)
        self.message = message


class VerificationLinkExpired(AccountError):
    pass


class VerificationLinkInvalid(AccountError):
    pass


class EmailAlreadyVerified(AccountError):
    pass


def _queue_verification_email(user: User, language: str) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: send_verification_email.delay(user_id, language))


def queue_security_email(user: User, kind: str, data: dict | None = None) -> None:
    """Email the person about their account's security after the caller's transaction commits."""
    from .tasks import send_security_email

    user_id = user.pk
    transaction.on_commit(lambda: send_security_email.delay(user_id, kind, data or {}))


def _tell_owner_of_sign_up_attempt(user: User) -> None:
    # At most one such email a minute per account, so the public sign-up page cannot flood a mailbox.
    if cache.add(f"accounts:sign-up-existing:{user.pk}", 1, RESEND_INTERVAL_SECONDS):
        queue_security_email(user, "sign_up_existing")


def user_sign_up(
    *, email: str, full_name: str, mobile: str, password: str, language: str = "en", signed_up_as: str = "operator"
) -> User | None:
    """Create an operator's or a freelancer's account that waits for email verification, and queue the link.

    The answer is the same whether or not the address already has an account, so sign-up cannot be
    used to find out who has one (security issue #14). New address, after: one account with
    email_verified_at None, no role, an audit event `user.sign_up`, and (on commit) one email with a
    verification link; returns the account. Taken address, after: nothing changes; the owner is told
    by email that someone tried (with links to sign in and to reset the password); returns None.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    mobile = normalize_mobile(mobile)
    if signed_up_as not in User.SignedUpAs.values:
        signed_up_as = User.SignedUpAs.OPERATOR
    # Hashing is the slow part (hundreds of milliseconds by design); done before the transaction, so
    # the write lock (on SQLite, the whole database's) is held only for the inserts. Hashed whether
    # or not the address is taken: the same work both ways, so the timing tells nothing either.
    password_hash = make_password(password)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            try:
                with transaction.atomic():
                    user = User(
                        email=email,
                        password=password_hash,
                        full_name=full_name.strip(),
                        mobile=mobile,
                        email_verified_at=None,
                        signed_up_as=signed_up_as,
                        is_staff=False,
                        is_superuser=False,
                    )
                    user.save()
            except IntegrityError:  # the same address signed up at the same moment
                existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            _tell_owner_of_sign_up_attempt(existing)
            return None
        workflow.record(actor=user, event=AccountEvent.SIGN_UP, obj=user, to_state="unverified")
        _queue_verification_email(user, language)
    return user


def user_verify_email(*, token: str) -> User:
    """Mark the address in a valid, unexpired link as verified and give the person the role they signed
    up for: operator, or freelancer (seat vouchers).

    Refuses an expired or altered link, a link for an address the account no longer has, and a link
    for an account that is already verified (so an old link in a mailbox cannot be used to sign in).
    """
    try:
        user_id, email = verify_email_token_read(token)
    except TokenExpired:
        raise VerificationLinkExpired(_("This link has expired: links last three days. Ask for a new one.")) from None
    except TokenInvalid:
        raise VerificationLinkInvalid(
            _("This link is not valid. Check that you copied all of it, or ask for a new one.")
        ) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None or user.email.lower() != email:
            raise VerificationLinkInvalid(
                _("This link is not valid. Check that you copied all of it, or ask for a new one.")
            )
        if user.email_verified_at is not None:
            raise EmailAlreadyVerified(_("Your email address is already confirmed. Sign in to continue."))
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        role = roles.FREELANCER if user.signed_up_as == User.SignedUpAs.FREELANCER else roles.OPERATOR
        group, _created = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        user._role_cache = None  # type: ignore[assignment]  # clears User.has_role's per-instance cache
        workflow.record(
            actor=user,
            event=AccountEvent.VERIFY_EMAIL,
            obj=user,
            from_state="unverified",
            to_state="verified",
            data={"role_added": role},
        )
    return user


def user_verification_resend(*, email: str, language: str = "en") -> bool:
    """Queue a new link if an active, unverified account has this address. Returns whether one was queued.

    The caller must tell the person the same thing either way, so the page does not reveal which
    addresses have accounts.
    """
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return False
    if not cache.add(f"accounts:verify-resend:{user.pk}", 1, RESEND_INTERVAL_SECONDS):
        return False
    with transaction.atomic():
        _queue_verification_email(user, language)
    return True


def _steward_may_grant(actor: User, user: User, role: str) -> bool:
    """A data steward importing officials gives them their role (roles.GRANTED_BY_STEWARDS), never
    to themselves nor to a staff or superuser account."""
    return (
        role in roles.GRANTED_BY_STEWARDS
        and bool(getattr(actor, "is_active", False))
        and actor.has_role(roles.DATA_STEWARD)
        and actor.pk != user.pk
        and not (user.is_staff or user.is_superuser)
    )


def role_grant(*, actor: User, user: User, role: str, reason: str = "") -> User:
    """A superuser gives a person one of the program's roles (its Django group).

    Before: the actor is an active superuser (roles open the workbench, the money and the registry, so
    no one grants them to themselves through a lesser role), or a data steward giving an official's
    role (`roles.GRANTED_BY_STEWARDS`) to another, non-staff account that holds no other role;
    `role` is one of `roles.ROLE_LABELS`, its
    group made by `roles.sync_roles`. After: the person has the role and one audit event
    `user.role_grant` names it. Granting a role the person already has changes nothing and writes
    nothing, so loaders and imports can call it again safely.
    """
    if role not in roles.ROLE_LABELS:
        raise ValueError(f"Unknown role: {role!r}")
    by_superuser = getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False)
    if not (by_superuser or _steward_may_grant(actor, user, role)):
        raise PermissionDenied("Only a superuser grants roles.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.groups.filter(name=role).exists():
            return user
        if not by_superuser and user.groups.exclude(name__in=roles.GRANTED_BY_STEWARDS).exists():
            raise PermissionDenied("Only a superuser gives an official's role to an account with other roles.")
        user.groups.add(Group.objects.get(name=role))
        user._role_cache = None  # type: ignore[assignment]  # clears User.has_role's per-instance cache
        workflow.record(
            actor=actor,
            event=AccountEvent.ROLE_GRANT,
            obj=user,
            reason=reason,
            data={"role": role},
        )
    return user
