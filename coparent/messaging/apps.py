from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "coparent.messaging"
    label = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # The record's pages and exports learn to describe message entries in plain words.
        from PIL import Image

        from coparent.families.hooks import on_member_joined
        from coparent.families.today import on_today
        from coparent.messaging import attachments, report, services, summaries, today

        summaries.register()
        # The record's PDF prints the messages in full (coparent.records.report).
        report.register()
        # A parent who joins receives the conversations written before they came.
        on_member_joined(services.deliver_waiting_messages)
        # The family's home page says how many messages wait to be read.
        on_today(today.today_in_messages)
        # Pillow's own decompression-bomb guard, set deliberately for every image this process
        # opens (WeasyPrint's included): it warns above this many pixels and refuses twice as
        # many. Attachments are refused above it before Pillow is asked to decode anything.
        Image.MAX_IMAGE_PIXELS = attachments.max_pixels()
