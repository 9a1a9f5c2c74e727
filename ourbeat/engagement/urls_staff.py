"""Staff pages of the engagement app, mounted at /staff/engagement/: forums and meetings in
one module, priorities, votes and actions in the other."""

from ourbeat.engagement import urls_staff_meetings, urls_staff_priorities

app_name = "staff_engagement"

urlpatterns = [*urls_staff_meetings.urlpatterns, *urls_staff_priorities.urlpatterns]
