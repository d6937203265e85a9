from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coparent.api"
    label = "api"
