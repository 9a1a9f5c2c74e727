from django.urls import URLPattern

# Mounted by concerns/urls.py under the "concerns" namespace.
urlpatterns: list[URLPattern] = []
