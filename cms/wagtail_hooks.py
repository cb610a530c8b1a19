"""The editors' admin: Urdu fields are written right to left, in the site's Urdu font."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_editor_css")
def urdu_fields_right_to_left():
    # Every Urdu field is named <field>_ur; its panel's content wrapper id ends in "_ur-content".
    return format_html(
        "<style>@font-face {{ font-family: 'Sahulat Nastaliq'; src: url('{}') format('truetype'); }}"
        "[id$='_ur-content'] input[type='text'], [id$='_ur-content'] textarea, "
        "[id$='_ur-content'] .Draftail-Editor {{ direction: rtl; text-align: start; "
        "font-family: 'Sahulat Nastaliq', 'Noto Nastaliq Urdu', serif; line-height: 2.2; }}</style>",
        static("fonts/NotoNastaliqUrdu-Regular.ttf"),
    )
