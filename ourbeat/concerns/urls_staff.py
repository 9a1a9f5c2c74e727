from django.urls import URLPattern, path  # noqa: F401

app_name = "staff_concerns"

# Triage, moderation and responses (views/staff.py), mounted at /staff/concerns/.
urlpatterns: list[URLPattern] = []
