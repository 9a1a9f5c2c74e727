from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ourbeat.accounts"
    label = "accounts"
