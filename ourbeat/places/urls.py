from django.urls import path

from ourbeat.places.views import public

app_name = "places"

urlpatterns = [
    path("", public.home, name="home"),
    path("neighbourhoods/", public.neighbourhood_list, name="neighbourhood_list"),
    path("locate/", public.locate, name="locate"),
    path("n/<slug:slug>/", public.neighbourhood, name="neighbourhood"),
    path("n/<slug:slug>/team/", public.team, name="team"),
]
