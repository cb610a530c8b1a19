"""Wagtail pages of the public site. Content only: the grant lifecycle never lives on pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


class HomePage(Page):
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            (
                "highlight",
                blocks.StructBlock(
                    [
                        ("figure", blocks.CharBlock(label=_("Figure"))),
                        ("caption", blocks.CharBlock(label=_("Caption"))),
                    ],
                    label=_("Key figure"),
                ),
            ),
        ],
        blank=True,
        use_json_field=True,
        verbose_name=_("body"),
    )
    contact = RichTextField(_("contact"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body"), FieldPanel("contact")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
