from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

        from .templatetags.cms_tags import forget_public_menu

        for name, signal in (
            ("published", page_published),
            ("unpublished", page_unpublished),
            ("moved", post_page_move),
            ("slug", page_slug_changed),
        ):
            signal.connect(forget_public_menu, dispatch_uid=f"cms-menu-{name}")
        post_delete.connect(forget_public_menu, sender="wagtailcore.Page", dispatch_uid="cms-menu-delete")
