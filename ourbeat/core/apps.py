from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ourbeat.core"
    label = "core"

    def ready(self) -> None:
        from ourbeat.core import permissions, signals  # noqa: F401  (registers rules, receivers)
