"""Public pages: the published summaries of problem-solving cases."""

from django.urls import path

from ourbeat.problems.views import public

app_name = "problems"

urlpatterns = [
    path("problems/", public.summary_list, name="list"),
    path("problems/<int:pk>/", public.summary_detail, name="detail"),
]
