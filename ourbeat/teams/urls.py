from django.urls import path

from ourbeat.teams.views import public

app_name = "teams"

urlpatterns = [
    path("n/<slug:slug>/calendar.ics", public.calendar_feed, name="calendar"),
]
