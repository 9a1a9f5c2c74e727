from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "ourbeat.analytics"
    label = "analytics"
