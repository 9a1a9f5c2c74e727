"""Staff pages (a hot spot, a group of recurring concerns) link to the proposal form with a
suggested title and description: the form shows them for the proposer to read and edit,
escaped, cut to the fields' limits, and nothing is written until the proposer sends it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from ourbeat.engagement.forms import TITLE_MAX
from ourbeat.engagement.models import Priority
from tests.engagement.test_public_helpers import clear_engagement, verified_resident


def test_the_suggested_title_and_description_fill_the_form_and_write_nothing(
    client_for: Any, town: Any
) -> None:
    clear_engagement(town.home)
    client = client_for(verified_resident("suggested@example.org"))
    query = urlencode(
        {
            "title": "Burglary hot spot near <b>Mill Lane</b>",
            "description": "Hot at 99% confidence: 14 burglaries in March.",
        }
    )
    url = reverse("engagement:priority_propose", kwargs={"slug": town.home.slug})
    page = client.get(f"{url}?{query}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Burglary hot spot near &lt;b&gt;Mill Lane&lt;/b&gt;"' in html
    assert "Hot at 99% confidence: 14 burglaries in March.</textarea>" in html
    assert "<b>Mill Lane</b>" not in html
    assert not Priority.objects.filter(area=town.home).exists()


def test_an_overlong_suggestion_is_cut_to_the_field_limit(client_for: Any, town: Any) -> None:
    clear_engagement(town.home)
    client = client_for(verified_resident("overlong@example.org"))
    url = reverse("engagement:priority_propose", kwargs={"slug": town.home.slug})
    page = client.get(f"{url}?{urlencode({'title': 'x' * 5000})}")
    html = page.content.decode()
    # The language links carry the query string along; the field is what is cut.
    values = re.findall(r'name="title"[^>]*value="(x*)"', html)
    assert values == ["x" * TITLE_MAX]
