from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "ourbeat.teams"
    label = "teams"
