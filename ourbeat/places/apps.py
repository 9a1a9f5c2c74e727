from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "ourbeat.places"
    label = "places"
