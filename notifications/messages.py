"""The reminders' texts (notifications/reminders.py): one catalogue, each notice lazily translated and
rendered in each recipient's own language (core.messages.Notice).

The subject is also the SMS (notifications.sms.sms_text): short, and without amounts or identifiers;
amounts the person sees on the page may be in the body (portal and email only)."""

from django.utils.translation import gettext_lazy as _

from core.messages import Notice

RETURN_DUE_SOON = Notice(
    _("Utilization return of %(space)s for %(month)s due on %(due)s"),
    _(
        "The utilization return of %(space)s for %(month)s is due on %(due)s. File it in the portal (or "
        "upload the Excel template)."
    ),
)
RETURN_DUE_TODAY = Notice(
    _("Utilization return of %(space)s for %(month)s due today"),
    _("The utilization return of %(space)s for %(month)s is due today, %(due)s. File it in the portal."),
)
RETURN_LATE = Notice(
    _("Utilization return of %(space)s for %(month)s is late"),
    _(
        "The utilization return of %(space)s for %(month)s was due on %(due)s and has not been filed. File it "
        "now in the portal: a space that does not report may be suspended from the network."
    ),
)
INSTALMENT_DUE_SOON = Notice(
    _("Loan %(sanction)s: instalment due on %(due)s"),
    _("The instalment of %(amount)s on loan %(sanction)s is due on %(due)s. Pay it by then to stay current."),
)
INSTALMENT_PAST_DUE = Notice(
    _("Loan %(sanction)s: an instalment is past due"),
    _(
        "The instalment of loan %(sanction)s due on %(due)s has not been paid in full (%(overdue)s overdue). "
        "Pay it as soon as you can; every day past due counts in the loan's arrears."
    ),
)
INFORMATION_UNANSWERED = Notice(
    _("Application %(ref)s: the program officer's question waits for your answer"),
    _(
        "On %(asked)s the program officer asked:\n\n%(question)s\n\nThe clock of %(ref)s is paused until you "
        "answer. Answer in the portal."
    ),
)
AWARD_NOT_ACCEPTED = Notice(
    _("Award %(sanction)s waits for your acceptance"),
    _(
        "Award %(sanction)s for %(ref)s was offered on %(offered)s. Download the award letter and accept the "
        "award in the portal: nothing is paid before it is accepted."
    ),
)
MILESTONE_DUE = Notice(
    _("Tranche %(n)s of %(ref)s: its milestone is due, ask for it"),
    _(
        "The milestone “%(milestone)s” of %(ref)s was due on %(due)s and tranche %(n)s has not been asked for. "
        "When the milestone is reached, ask for the tranche in the portal with its evidence."
    ),
)
REVIEW_DUE = Notice(
    _("Your review of %(ref)s is due before the board meets on %(meeting)s"),
    _(
        "The board meets on %(meeting)s and your review of %(ref)s (%(program)s) is not submitted. Declare any "
        "conflict of interest and submit your scores in the workbench before then."
    ),
)
ARREARS_WORSE = Notice(
    _("Loans entering a worse arrears bucket: %(count)s this week"),
    _(
        "These loans moved into a worse arrears bucket in the week to %(day)s:\n\n%(loans)s\n\nThe loan book "
        "has each one."
    ),
)
STAFF_DIGEST = Notice(
    _("Your Sahulat digest of %(day)s"),
    _("Since your last digest:\n\n%(summary)s\n\nPast their clock and waiting for you:\n\n%(late)s"),
)
OPERATOR_DIGEST = Notice(
    _("Your Sahulat digest of %(day)s"),
    _(
        "Since your last digest:\n\n%(summary)s\n\nWhat your company must do soon:\n\n%(actions)s\n\nDecisions on "
        "your applications and the program officer's questions are not held for this digest: they are emailed to "
        "you as they come."
    ),
)
