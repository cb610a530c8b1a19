"""A match: two records of the registry that a rule (matches.rules) says may be the same, and what a
person decided about it.

The two records are a generic pair (content type and id), ordered so that a pair is stored once
whichever record a check started from: (left type, left id) < (right type, right id). Each side keeps
its operator, so "the matches on this company's case" is an indexed look-up. A sweep run twice finds
one match: (rule, left, right) is unique.

open -> cleared (a person checked it; the reason is kept) | confirmed (sent to the integrity office as
a grievance; payments to both operators wait until that case is resolved).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .messages import FOUND_BY
from .permissions import MATCHES
from .rules import RULE_BY_CODE, RULE_CHOICES, MatchKind, MatchRule


class MatchState(models.TextChoices):
    OPEN = "open", _("Open")
    CLEARED = "cleared", _("Cleared")
    CONFIRMED = "confirmed", _("Confirmed: with the integrity office")


class Match(ConcurrentTransitionMixin, models.Model):
    State = MatchState
    Kind = MatchKind

    rule = models.CharField(_("rule"), max_length=20, choices=RULE_CHOICES)
    # The rule's kind, kept on the row so the gates ask one index ("confirmed and open on company X").
    kind = models.CharField(_("kind"), max_length=10, choices=MatchKind.choices)
    left_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    left_id = models.PositiveBigIntegerField()
    left = GenericForeignKey("left_type", "left_id")
    right_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    right_id = models.PositiveBigIntegerField()
    right = GenericForeignKey("right_type", "right_id")
    left_operator = models.ForeignKey(
        "spaces.Operator", on_delete=models.PROTECT, related_name="+", verbose_name=_("first company")
    )
    right_operator = models.ForeignKey(
        "spaces.Operator", on_delete=models.PROTECT, related_name="+", verbose_name=_("second company")
    )
    # What the two records share, in its normal form (an identifier, a file's SHA-256, the two names);
    # an identifier is shown masked to people who may not see it (rules.MatchRule.sensitive).
    value = models.CharField(_("shared value"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    found_at = models.DateTimeField(_("found"))
    found_by = models.CharField(_("found by"), max_length=40)

    state = FSMField(_("state"), max_length=10, choices=MatchState.choices, default=MatchState.OPEN, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    grievance = models.ForeignKey(
        "integrity.Grievance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("integrity case"),
    )

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["found_at", "id"]
        permissions = [("work_matches", _("Can work the list of duplicate matches"))]
        indexes = [
            models.Index(fields=["left_operator", "state"], name="match_left_operator_idx"),
            models.Index(fields=["right_operator", "state"], name="match_right_operator_idx"),
            models.Index(fields=["state", "rule", "found_at"], name="match_worklist_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "left_type", "left_id", "right_type", "right_id"], name="match_one_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(left_type__lt=F("right_type")) | Q(left_type=F("right_type"), left_id__lt=F("right_id")),
                name="match_pair_ordered",
            ),
            models.CheckConstraint(condition=Q(rule__in=list(RULE_BY_CODE)), name="match_rule_valid"),
            models.CheckConstraint(condition=Q(kind__in=MatchKind.values), name="match_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=MatchState.values), name="match_state_valid"),
            models.CheckConstraint(
                condition=Q(state="open", decided_at__isnull=True)
                | (Q(state="cleared", decided_at__isnull=False) & ~Q(reason=""))
                | Q(state="confirmed", decided_at__isnull=False, grievance__isnull=False),
                name="match_decision_matches_state",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"M-{self.pk:05d}" if self.pk else "M-?"

    @property
    def rule_entry(self) -> MatchRule:
        return RULE_BY_CODE[self.rule]

    @property
    def found_by_label(self) -> str:
        """Where it was found, in the reader's language (messages.FOUND_BY)."""
        label = FOUND_BY.get(self.found_by)
        return str(label) if label is not None else self.found_by

    @property
    def is_confirmed_kind(self) -> bool:
        return self.kind == MatchKind.CONFIRMED

    def other_operator_id(self, operator_id: int) -> int:
        return self.right_operator_id if self.left_operator_id == operator_id else self.left_operator_id

    # --- decisions (matches.services is the only caller) ---------------------------------------------

    @transition(field=state, source=MatchState.OPEN, target=MatchState.CLEARED, permission=MATCHES.predicate("clear"))
    def clear(self, *, by, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.reason = by, at, reason

    @transition(
        field=state, source=MatchState.OPEN, target=MatchState.CONFIRMED, permission=MATCHES.predicate("confirm")
    )
    def confirm(self, *, by, at, reason: str, grievance) -> None:
        self.decided_by, self.decided_at, self.reason, self.grievance = by, at, reason, grievance
