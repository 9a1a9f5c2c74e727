from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ourbeat.api"
    label = "api"
