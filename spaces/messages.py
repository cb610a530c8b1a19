"""What the registry tells a company's people: one catalogue, each notice lazily translated and
rendered in each recipient's own language (core.messages.Notice)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

TO_MEMBERS_DETAILS_CHANGED = Notice(
    _("%(company)s: registration details changed"),
    _("%(who)s changed: %(fields)s."),
)
# Follow TO_MEMBERS_DETAILS_CHANGED's body: the first when a verified company must be verified again.
VERIFY_AGAIN = _("The company must be verified again; payments go to the IBAN as verified until then.")
IF_UNEXPECTED = _("If you did not expect this change, tell the program secretariat at once.")
TO_MEMBERS_MEMBER_ADDED = Notice(
    _("%(company)s: %(person)s can now act for the company"),
    _(
        "The program secretariat gave %(person)s access to the company's applications and payments. "
        "If you did not ask for this, tell the secretariat at once."
    ),
)
TO_MEMBERS_MEMBER_REMOVED = Notice(
    _("%(company)s: %(person)s no longer acts for the company"),
    _("The program secretariat removed %(person)s's access to the company."),
)
TO_MEMBERS_SPACE_ADMITTED = Notice(
    _("%(space)s is admitted to the network"),
    _(
        "A program officer checked %(space)s and admitted it to the Sahulat network. It is listed in the "
        "public directory, files its monthly utilization returns and can be named in applications."
    ),
)
TO_MEMBERS_SPACE_DECLINED = Notice(
    _("%(space)s is not admitted to the network"),
    _("A program officer declined %(space)s. The reason: %(reason)s"),
)
