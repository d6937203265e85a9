from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "coparent.web"
    label = "web"
