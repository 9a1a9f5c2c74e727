"""ourbeat's settings with persistent SQLite connections, for ``neighbourhood_page.py
--persistent-sqlite``: measures what opening a connection per request costs the page."""

from ourbeat.settings import *  # noqa: F403
from ourbeat.settings import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = None
