from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "ourbeat.concerns"
    label = "concerns"
