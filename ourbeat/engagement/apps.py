from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "ourbeat.engagement"
    label = "engagement"
