from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "ourbeat.problems"
    label = "problems"
