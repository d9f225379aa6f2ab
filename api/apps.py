from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API and integrations"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the receivers that queue webhooks)
