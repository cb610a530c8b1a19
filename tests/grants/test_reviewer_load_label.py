"""Issue #17: the reviewer picker says "1 review open", not "1 reviews open" (plural forms, both languages)."""

from types import SimpleNamespace

from django.utils import translation

from grants.forms import AssignReviewersForm


def labels(*loads):
    candidates = [
        SimpleNamespace(
            user=SimpleNamespace(pk=n, email=f"r{n}@example.pk", get_full_name=lambda n=n: f"Reviewer {n}"),
            load=load,
            refusal=None,
        )
        for n, load in enumerate(loads)
    ]
    return [label for _pk, label in AssignReviewersForm(candidates=candidates).fields["reviewers"].choices]


def test_one_review_is_singular_and_others_plural():
    assert labels(1, 0, 2) == [
        "Reviewer 0 — 1 review open",
        "Reviewer 1 — 0 reviews open",
        "Reviewer 2 — 2 reviews open",
    ]


def test_in_urdu_one_review_is_singular():
    with translation.override("ur"):
        assert labels(1, 2) == ["Reviewer 0 — 1 جائزہ زیرِ التوا", "Reviewer 1 — 2 جائزے زیرِ التوا"]
