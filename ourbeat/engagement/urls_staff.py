from django.urls import URLPattern, path  # noqa: F401

app_name = "staff_engagement"

urlpatterns: list[URLPattern] = []
