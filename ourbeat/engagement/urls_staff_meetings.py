"""Staff pages of forums and meetings (mounted at /staff/engagement/ under the namespace
``staff_engagement``)."""

from django.urls import URLPattern, URLResolver, path

from ourbeat.engagement.views import staff_meetings as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("forums/", views.forum_list, name="forums"),
    path("forums/new/", views.forum_new, name="forum_new"),
    path("forums/<int:pk>/", views.forum_detail, name="forum"),
    path("forums/<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("forums/<int:pk>/members/", views.forum_members, name="forum_members"),
    path("forums/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/items/", views.meeting_items, name="meeting_items"),
]
