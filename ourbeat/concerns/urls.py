from ourbeat.concerns.urls_browse import urlpatterns as browse_urlpatterns
from ourbeat.concerns.urls_report import urlpatterns as report_urlpatterns

app_name = "concerns"

# Reporting and the resident's e-mailed links (views/public.py), then browsing, the map and
# the feeds (views/browse.py).
urlpatterns = report_urlpatterns + browse_urlpatterns
