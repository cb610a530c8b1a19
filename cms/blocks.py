"""StreamField blocks of the public site. Each section block renders its own <h2> (the heading is part
of the design, not of the content), so headings stay in order whatever editors put in the stream."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class EligibilityBlock(blocks.StructBlock):
    intro = blocks.RichTextBlock(required=False, label=_("Introduction"), features=["bold", "italic", "link"])
    criteria = blocks.ListBlock(blocks.CharBlock(label=_("Criterion")), label=_("Criteria"))

    class Meta:
        label = _("Who can apply")
        icon = "user"
        template = "cms/blocks/eligibility.html"


class BenefitBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Benefit"))
    description = blocks.TextBlock(required=False, label=_("Description"))


class BenefitsBlock(blocks.StructBlock):
    intro = blocks.RichTextBlock(required=False, label=_("Introduction"), features=["bold", "italic", "link"])
    items = blocks.ListBlock(BenefitBlock(), label=_("Benefits"))

    class Meta:
        label = _("Benefits")
        icon = "pick"
        template = "cms/blocks/benefits.html"


class RequiredDocumentsBlock(blocks.StructBlock):
    """The list itself comes from the Program (the portal refuses a submission without those
    documents), so the page can never promise a different list from the one the system enforces."""

    intro = blocks.RichTextBlock(required=False, label=_("Introduction"), features=["bold", "italic", "link"])
    notes = blocks.RichTextBlock(
        required=False,
        label=_("Notes after the list"),
        features=["bold", "italic", "link", "ul"],
        help_text=_("The documents themselves are listed from the program's settings."),
    )

    class Meta:
        label = _("Required documents")
        icon = "doc-full"
        template = "cms/blocks/required_documents.html"


class RubricCriterionBlock(blocks.StructBlock):
    criterion = blocks.CharBlock(label=_("Criterion"))
    weight = blocks.IntegerBlock(min_value=0, max_value=100, label=_("Weight (%)"))
    guidance = blocks.TextBlock(required=False, label=_("What reviewers look for"))


class RubricBlock(blocks.StructBlock):
    intro = blocks.RichTextBlock(required=False, label=_("Introduction"), features=["bold", "italic", "link"])
    criteria = blocks.ListBlock(RubricCriterionBlock(), label=_("Criteria"))

    class Meta:
        label = _("Scoring rubric")
        icon = "list-ol"
        template = "cms/blocks/rubric.html"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol", "ul"])


class FaqsBlock(blocks.StructBlock):
    items = blocks.ListBlock(QuestionBlock(), label=_("Questions"))

    class Meta:
        label = _("Questions and answers")
        icon = "help"
        template = "cms/blocks/faqs.html"


def text_blocks():
    return [
        ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"), template="cms/blocks/heading.html")),
        (
            "paragraph",
            blocks.RichTextBlock(
                label=_("Paragraph"),
                features=["bold", "italic", "link", "ol", "ul"],
                template="cms/blocks/paragraph.html",
            ),
        ),
    ]


def program_blocks():
    """A fresh set each call: the English and the Urdu body of a page use the same blocks."""
    return [
        ("eligibility", EligibilityBlock()),
        ("benefits", BenefitsBlock()),
        ("required_documents", RequiredDocumentsBlock()),
        ("rubric", RubricBlock()),
        ("faqs", FaqsBlock()),
        *text_blocks(),
    ]


def home_blocks():
    return [
        *text_blocks(),
        (
            "highlight",
            blocks.StructBlock(
                [
                    ("figure", blocks.CharBlock(label=_("Figure"))),
                    ("caption", blocks.CharBlock(label=_("Caption"))),
                ],
                label=_("Key figure"),
                template="cms/blocks/highlight.html",
            ),
        ),
    ]


def faq_blocks():
    return [("question", QuestionBlock(label=_("Question and answer"), template="cms/blocks/question.html"))]
