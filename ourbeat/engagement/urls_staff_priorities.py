"""Staff pages of priorities, actions and meeting votes (mounted at /staff/engagement/ under
the namespace ``staff_engagement``)."""

from django.urls import URLPattern, URLResolver, path

from ourbeat.engagement.views import staff_priorities as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("priorities/", views.priority_list, name="priorities"),
    path("priorities/<int:pk>/", views.priority_detail, name="priority"),
    path("priorities/<int:pk>/publish/", views.priority_publish, name="priority_publish"),
    path("priorities/<int:pk>/adopt/", views.priority_adopt, name="priority_adopt"),
    path("priorities/<int:pk>/status/", views.priority_transition, name="priority_transition"),
    path("priorities/<int:pk>/origins/", views.priority_origins, name="priority_origins"),
    path("priorities/<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("meetings/<int:pk>/votes/", views.meeting_votes, name="meeting_votes"),
]
