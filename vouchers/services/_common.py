"""What the voucher services share: references, the CNIC digest, who is who, telling people."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import roles
from core import workflow
from core.dates import show_date
from notifications.services import notify
from spaces.validators import mask, normalize_cnic

from ..errors import PermissionDenied
from ..models import Voucher, VoucherSequence

GONE = _("This voucher no longer exists.")


def cnic_digest(cnic: str) -> str:
    """The keyed digest that stands in for a CNIC (HMAC-SHA256 of its 13 digits): equal for the same
    person however the number was typed, and useless without the key."""
    digits = normalize_cnic(cnic).replace("-", "")
    key = (settings.IDENTIFIER_DIGEST_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, b"cnic:" + digits.encode(), hashlib.sha256).hexdigest()


def cnic_masked(cnic: str) -> str:
    return mask(normalize_cnic(cnic), visible=3)


def next_reference(prefix: str, year: int) -> str:
    """SV-2026-00001 for vouchers, SC-2026-00001 for seat claims; inside the caller's transaction."""
    VoucherSequence.objects.bulk_create([VoucherSequence(prefix=prefix, year=year)], ignore_conflicts=True)
    sequence = VoucherSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:05d}"


def is_member_of_space_operator(user: Any, space: Any) -> bool:
    return workflow.is_active_person(user) and space.operator.members.filter(pk=user.pk).exists()


def require_operator_member(space: Any, actor: Any) -> None:
    if not is_member_of_space_operator(actor, space):
        raise PermissionDenied(_("Only the people of %(operator)s may do this.") % {"operator": space.operator})


def require_holder(voucher: Voucher, actor: Any) -> None:
    if not (workflow.is_active_person(actor) and voucher.freelancer.user_id == actor.pk):
        raise PermissionDenied(_("Only the freelancer who holds the voucher may do this."))


def officers() -> list[Any]:
    from accounts.models import User

    return list(User.objects.filter(is_active=True, groups__name=roles.PROGRAM_OFFICER).distinct())


def tell(recipients: Any, notice: Any, url: str, **params: Any) -> None:
    subject, body = notice.render(**params)
    notify(recipients=recipients, subject=subject, body=body, url=url)


def voucher_url(voucher: Voucher) -> str:
    return reverse("vouchers:voucher", kwargs={"reference": voucher.reference})


def voucher_staff_url(voucher: Voucher) -> str:
    return reverse("vouchers_workbench:voucher", kwargs={"reference": voucher.reference})


def day(value: Any) -> Any:
    """A date rendered per recipient, in their language."""
    return lambda: show_date(value)
