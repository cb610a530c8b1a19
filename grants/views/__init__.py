"""The grants pages, one module per sub-domain: applications and application_sections (the operator
portal), workbench (the officers' screening), reviews, decisions, payments (tranches and utility
claims) and programs (open calls, the budget). Shared helpers are in _common.py, which imports none of
them. grants/urls.py names each view by its module (`views.reviews.review_page`): two modules have an
`application_page` (the portal's and the workbench's), so the modules, not their views, are exported."""

from . import (
    application_sections,
    applications,
    awards,
    claim_upload,
    decisions,
    payments,
    programs,
    reviews,
    workbench,
)

__all__ = [
    "application_sections",
    "applications",
    "awards",
    "claim_upload",
    "decisions",
    "payments",
    "programs",
    "reviews",
    "workbench",
]
