from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "coparent.agreements"
    label = "agreements"
    verbose_name = _("Parenting agreement")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe the agreement's entries in words.
        from coparent.agreements import summaries

        summaries.register()
