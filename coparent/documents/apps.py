from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "coparent.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe uploads in plain words.
        from coparent.documents import summaries

        summaries.register()
