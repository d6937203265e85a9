from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "coparent.messaging"
    label = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # The record's pages and exports learn to describe message entries in plain words.
        from coparent.messaging import summaries

        summaries.register()
