from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "coparent.agreements"
    label = "agreements"
    verbose_name = _("Parenting agreement")

    def ready(self) -> None:
        # The record's timeline and PDF learn to describe the agreement's entries in words.
        from coparent.agreements import summaries, today
        from coparent.families.today import on_today

        summaries.register()
        # The family's home page lists the clauses waiting for a parent's signature.
        on_today(today.today_in_agreement)
