from collections.abc import Sequence

from django.apps import AppConfig
from django.core import checks


class WebConfig(AppConfig):
    name = "coparent.web"
    label = "web"

    def ready(self) -> None:
        checks.register(check_rate_limits)


def check_rate_limits(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """A mistyped COPARENT_RATE_LIMITS stops `coparent serve` at start, not at the first
    request that meets the limit."""
    from django.core.exceptions import ImproperlyConfigured

    from coparent.infra.ratelimit import limits

    try:
        limits("")  # parses every rule
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="coparent.E001")]
    return []
