"""The kinds of document an application can require. Programs pick from this list."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    CNIC_COPY = "cnic_copy", _("CNIC copy of the principal")
    NTN_CERTIFICATE = "ntn_certificate", _("NTN certificate")
    SECP_CERTIFICATE = "secp_certificate", _("SECP certificate of incorporation")
    LEASE_AGREEMENT = "lease_agreement", _("Lease agreement for the space")
    BANK_STATEMENT = "bank_statement", _("Bank statement (last six months)")
    ELECTRICITY_BILL = "electricity_bill", _("Latest electricity bill")
    BUSINESS_PLAN = "business_plan", _("Business plan")
