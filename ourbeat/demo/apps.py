from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ourbeat.demo"
    label = "demo"
