from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "ourbeat.surveys"
    label = "surveys"
