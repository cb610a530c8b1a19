from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager):
    """People log in with their email address; there is no separate user name."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


# Titles written before a name (compared without a trailing full stop, in any case); "(R)"/"(Retd)"
# follow a title for the retired. Syed/Syeda is a hereditary title written first. Kept short on
# purpose: words that are also first names or surnames (Malik, Rana, Mian) are not in it.
HONORIFICS = frozenset(
    {"dr", "prof", "professor", "justice", "(r)", "(retd)", "mr", "mrs", "ms", "miss", "engr", "syed", "syeda"}
)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    # Accounts made by staff, the admin or the data loader are vouched for by whoever made them, so
    # they count as verified from creation. Only public sign-up (accounts.services.user_sign_up)
    # starts with None: such a person may not sign in until they follow the link sent to the address.
    email_verified_at = models.DateTimeField(
        _("email verified at"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("Empty while a person who signed up has not yet followed the link sent to their address."),
    )

    # The language the person last used the site in (kept by accounts.middleware.RememberLanguage), so
    # what is written to them by someone else's action (a notification, its email) is in their own
    # language rather than in the language of the person who acted. Empty: the site's default.
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)

    class SignedUpAs(models.TextChoices):
        OPERATOR = "operator", _("Staff of a coworking-space company")
        FREELANCER = "freelancer", _("A freelancer who wants a subsidised seat")

    # What a person who signed up said they are: confirming the email gives that role (operator or
    # freelancer, issue #18). Accounts made by staff keep the default and get their roles from staff.
    signed_up_as = models.CharField(
        _("signed up as"), max_length=10, choices=SignedUpAs.choices, default=SignedUpAs.OPERATOR
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        """The first name, as the header greets people ("Sign out Farah" for "Dr. Farah Naz"): leading
        honorifics (HONORIFICS) are skipped; a name made only of honorifics is shown whole."""
        words = (self.full_name or self.email).split()
        for word in words:
            if word.rstrip(".").lower() not in HONORIFICS:
                return word
        return " ".join(words) or self.email

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, role: str) -> bool:
        """True when the user belongs to the group of that role (roles.py names them)."""
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            self._role_cache = cache
        return role in cache
