"""What each endpoint reads and writes. Amounts are decimal strings with two places ("1250000.00"),
never floats; times are ISO 8601 in Pakistan time with their offset ("2026-12-07T10:15:00+05:00");
dates are ISO 8601 days.

Bodies are strict: an unknown field, a wrong type, a negative amount or one with more than two decimal
places is a 400 problem naming the field, before any service is asked.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms import open_data
from finance.models import PaymentBatch, PaymentInstruction
from grants.models import Award, Call, Program
from loans.models import Loan
from spaces.models import UTILIZATION_FIGURES, Space, UtilizationReturn

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class Money(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**MONEY, **kwargs})


# --- reads ----------------------------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    min_amount = Money()
    max_amount = Money()

    class Meta:
        model = Program
        fields = ["id", "code", "name", "name_ur", "instrument", "is_active", "min_amount", "max_amount"]


class CallSerializer(serializers.ModelSerializer):
    program = serializers.CharField(source="program.code")

    class Meta:
        model = Call
        fields = ["id", "reference", "program", "title", "title_ur", "opens_at", "closes_at", "quota"]


class OrganizationSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class LocationSerializer(serializers.Serializer):
    name = serializers.CharField()
    countryCode = serializers.CharField()  # noqa: N815 - 360Giving's field name


class ProgrammeSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class ClassificationSerializer(serializers.Serializer):
    vocabulary = serializers.CharField()
    code = serializers.CharField()
    title = serializers.CharField()


class AwardSerializer(serializers.Serializer):
    """An award with the fields of the 360Giving export (cms/open_data.py), its amount as a decimal
    string; plus the award's Sahulat id, sanction number, state and paid total."""

    award_id = serializers.IntegerField(source="pk")
    sanction_number = serializers.CharField()
    state = serializers.CharField()
    paid = Money()
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    currency = serializers.CharField()
    amountAwarded = Money()  # noqa: N815
    awardDate = serializers.DateField()  # noqa: N815
    recipientOrganization = OrganizationSerializer(many=True)  # noqa: N815
    fundingOrganization = OrganizationSerializer(many=True)  # noqa: N815
    beneficiaryLocation = LocationSerializer(many=True)  # noqa: N815
    grantProgramme = ProgrammeSerializer(many=True)  # noqa: N815
    classifications = ClassificationSerializer(many=True)
    fromOpenCall = serializers.CharField()  # noqa: N815

    def to_representation(self, instance: Award) -> dict:
        grant = open_data.grant(instance)
        grant["amountAwarded"] = instance.amount
        values = {
            **grant,
            "pk": instance.pk,
            "sanction_number": instance.sanction_number,
            "state": instance.state,
            "paid": instance.paid,
        }
        return super().to_representation(_Attrs(values))


class _Attrs(dict):
    """A dict read by attribute, so a plain Serializer can render it."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class PaymentSerializer(serializers.ModelSerializer):
    amount = Money()
    payee = serializers.CharField(source="payee.legal_name")
    payee_ntn = serializers.CharField(source="payee.ntn")
    space = serializers.CharField(source="space.code", allow_null=True, default=None)
    district = serializers.CharField(source="space.district", allow_null=True, default=None)
    division = serializers.CharField(source="space.division", allow_null=True, default=None)
    program = serializers.CharField(source="application.call.program.code", allow_null=True, default=None)
    instrument = serializers.CharField(source="application.instrument", allow_null=True, default=None)
    application = serializers.CharField(source="application.reference", allow_null=True, default=None)
    sanction_number = serializers.SerializerMethodField()
    batch = serializers.CharField(source="batch.reference", allow_null=True, default=None)

    class Meta:
        model = PaymentInstruction
        fields = [
            "id",
            "reference",
            "attempt",
            "state",
            "amount",
            "narration",
            "payee",
            "payee_ntn",
            "space",
            "district",
            "division",
            "program",
            "instrument",
            "application",
            "sanction_number",
            "batch",
            "requested_at",
            "approved_at",
            "sent_at",
            "paid_at",
            "reconciled_at",
            "failed_at",
            "failure_reason",
            "cancelled_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_sanction_number(self, payment: PaymentInstruction) -> str | None:
        application = payment.application
        award = getattr(application, "award", None) if application is not None else None
        return award.sanction_number if award is not None else None

    def to_representation(self, instance: PaymentInstruction) -> dict[str, Any]:
        """The fields above, written directly: a page of 1,000 payments is the API's heaviest read, and
        REST framework's field machinery was most of its time (bench/api.py). Same output."""
        p = instance
        application, space, batch = p.application, p.space, p.batch
        return {
            "id": p.pk,
            "reference": p.reference,
            "attempt": p.attempt,
            "state": p.state,
            "amount": f"{p.amount:.2f}",
            "narration": p.narration,
            "payee": p.payee.legal_name,
            "payee_ntn": p.payee.ntn,
            "space": space.code if space else None,
            "district": space.district if space else None,
            "division": space.division if space else None,
            "program": application.call.program.code if application else None,
            "instrument": application.instrument if application else None,
            "application": application.reference if application else None,
            "sanction_number": self.get_sanction_number(p),
            "batch": batch.reference if batch else None,
            "requested_at": _local(p.requested_at),
            "approved_at": _local(p.approved_at),
            "sent_at": _local(p.sent_at),
            "paid_at": _local(p.paid_at),
            "reconciled_at": _local(p.reconciled_at),
            "failed_at": _local(p.failed_at),
            "failure_reason": p.failure_reason,
            "cancelled_at": _local(p.cancelled_at),
        }


def _local(value: Any) -> str | None:
    """ISO 8601 in Pakistan time with its offset, as REST framework's DateTimeField writes it."""
    return timezone.localtime(value).isoformat() if value is not None else None


class UtilizationReturnSerializer(serializers.ModelSerializer):
    space = serializers.CharField(source="space.code")
    district = serializers.CharField(source="space.district")
    division = serializers.CharField(source="space.division")

    class Meta:
        model = UtilizationReturn
        fields = [
            "id",
            "space",
            "district",
            "division",
            "month",
            *UTILIZATION_FIGURES,  # the return's figures, in the order the form and the reports use
            "filed_at",
        ]


class SpaceSerializer(serializers.ModelSerializer):
    operator = serializers.CharField(source="operator.legal_name")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=True, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=True, allow_null=True)

    class Meta:
        model = Space
        fields = [
            "id",
            "code",
            "name",
            "operator",
            "address",
            "division",
            "district",
            "latitude",
            "longitude",
            "seats_offered",
            "private_offices",
            "meeting_rooms",
            "internet_bandwidth_mbps",
            "power_backup",
            "opening_date",
            "network_status",
            "updated_at",
        ]


class LoanPositionSerializer(serializers.ModelSerializer):
    """A loan's position on the day asked for (`as_of`), as the loan portfolio report has it."""

    program = serializers.CharField(source="application.call.program.code")
    operator = serializers.CharField(source="operator.legal_name")
    space = serializers.CharField(source="application.space.code", allow_null=True, default=None)
    district = serializers.CharField(source="application.space.district", allow_null=True, default=None)
    disbursed_amount = Money()
    as_of = serializers.SerializerMethodField()
    outstanding_principal = serializers.SerializerMethodField()
    overdue_principal = serializers.SerializerMethodField()
    overdue_interest = serializers.SerializerMethodField()
    next_due_date = serializers.SerializerMethodField()
    next_due_amount = serializers.SerializerMethodField()
    days_past_due = serializers.SerializerMethodField()
    bucket = serializers.SerializerMethodField()
    principal_repaid = serializers.SerializerMethodField()
    interest_repaid = serializers.SerializerMethodField()

    class Meta:
        model = Loan
        fields = [
            "id",
            "sanction_number",
            "program",
            "operator",
            "space",
            "district",
            "state",
            "disbursed_on",
            "disbursed_amount",
            "as_of",
            "outstanding_principal",
            "overdue_principal",
            "overdue_interest",
            "next_due_date",
            "next_due_amount",
            "days_past_due",
            "bucket",
            "principal_repaid",
            "interest_repaid",
        ]

    def _position(self, loan: Loan) -> dict[str, Any]:
        return self.context["positions"][loan.pk]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, loan: Loan) -> str:
        return self.context["as_of"].isoformat()

    def _money(self, loan: Loan, name: str) -> str:
        return f"{Decimal(self._position(loan)[name]):.2f}"

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_outstanding_principal(self, loan: Loan) -> str:
        return self._money(loan, "outstanding_principal")

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_overdue_principal(self, loan: Loan) -> str:
        return self._money(loan, "overdue_principal")

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_overdue_interest(self, loan: Loan) -> str:
        return self._money(loan, "overdue_interest")

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_due_date(self, loan: Loan) -> str | None:
        day = self._position(loan)["next_due_date"]
        return day.isoformat() if day else None

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_next_due_amount(self, loan: Loan) -> str:
        return self._money(loan, "next_due_amount")

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_past_due(self, loan: Loan) -> int:
        return self._position(loan)["days_past_due"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_bucket(self, loan: Loan) -> str:
        return self._position(loan)["bucket"]

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_principal_repaid(self, loan: Loan) -> str:
        return self._money(loan, "principal_repaid")

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_interest_repaid(self, loan: Loan) -> str:
        return self._money(loan, "interest_repaid")


# --- the bank's ----------------------------------------------------------------------------------


class BankInstructionSerializer(serializers.ModelSerializer):
    """One payment as the bank must make it: to this IBAN and account title, this amount, this narration;
    the reference comes back with the outcome."""

    amount = Money()
    iban = serializers.CharField(source="iban_snapshot")
    account_title = serializers.CharField(source="payee_name_snapshot")

    class Meta:
        model = PaymentInstruction
        fields = ["reference", "amount", "iban", "account_title", "narration", "state", "paid_at", "failure_reason"]


class BankBatchSerializer(serializers.ModelSerializer):
    total = Money(read_only=True)
    payment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PaymentBatch
        fields = ["reference", "value_date", "state", "sent_at", "payment_count", "total"]


class BankBatchDetailSerializer(BankBatchSerializer):
    payments = serializers.SerializerMethodField()

    class Meta(BankBatchSerializer.Meta):
        fields = [*BankBatchSerializer.Meta.fields, "payments"]

    @extend_schema_field(BankInstructionSerializer(many=True))
    def get_payments(self, batch: PaymentBatch) -> list[dict]:
        return BankInstructionSerializer(self.context["payments"], many=True).data


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know (a typo must not be ignored on a money request)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        problems = {name: [_("Unknown field.")] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
            raise serializers.ValidationError({**detail, **problems}) from None
        if problems:
            raise serializers.ValidationError(problems)
        return value


class PaymentOutcomeSerializer(StrictSerializer):
    OUTCOMES = [("paid", _("Paid")), ("returned", _("Returned"))]

    outcome = serializers.ChoiceField(choices=OUTCOMES)
    amount = Money(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"))
    value_date = serializers.DateField(input_formats=["iso-8601"])
    bank_reference = serializers.CharField(max_length=40, required=False, allow_blank=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["outcome"] == "paid" and not attrs.get("bank_reference"):
            raise serializers.ValidationError({"bank_reference": [_("Give the bank's reference for a paid payment.")]})
        if attrs["outcome"] == "returned" and not attrs.get("reason"):
            raise serializers.ValidationError({"reason": [_("Say why the bank returned the payment.")]})
        return attrs


class PaymentOutcomeResultSerializer(serializers.Serializer):
    payment = BankInstructionSerializer()
    outcome = serializers.CharField()
    already_applied = serializers.BooleanField()


class CollectionLineSerializer(StrictSerializer):
    sanction_number = serializers.CharField(max_length=24)
    date_received = serializers.DateField(input_formats=["iso-8601"])
    amount = Money(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"))
    bank_reference = serializers.CharField(max_length=40)


class CollectionPostSerializer(StrictSerializer):
    lines = CollectionLineSerializer(many=True, allow_empty=False, max_length=settings.API_MAX_COLLECTION_LINES)


class RepaymentResultSerializer(serializers.Serializer):
    sanction_number = serializers.CharField()
    bank_reference = serializers.CharField()
    date_received = serializers.DateField()
    amount = Money()
    principal = Money()
    interest = Money()
    loan_state = serializers.CharField()


class CollectionResultSerializer(serializers.Serializer):
    collection = serializers.IntegerField()
    total = Money()
    repayments = RepaymentResultSerializer(many=True)
    already_applied = serializers.BooleanField()
