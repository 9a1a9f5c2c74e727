"""api keys are issued per client application, by ``manage.py open311_client add NAME``
(the key is the last word of its output) or in the admin; a wrong or inactive key is 403."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command

from tests.open311.conftest import point_in


def _post(client: Any, town: Any, key: str) -> Any:
    lat, lng = point_in(town.home)
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "asb-noise",
            "lat": lat,
            "long": lng,
            "email": "resident@example.org",
            "description": "Music until 3 a.m.",
        },
    )


def test_the_command_prints_the_key_as_its_last_word_and_it_works(client: Any, town: Any) -> None:
    from ourbeat.api.models import Open311Client

    out = StringIO()
    call_command("open311_client", "add", "Street app", stdout=out)
    key = out.getvalue().split()[-1]
    stored = Open311Client.objects.get(name="Street app")
    assert key not in stored.key_hash
    assert stored.key_hash != key
    assert _post(client, town, key).status_code == 201


def test_a_wrong_key_is_403(client: Any, api_key: str, town: Any) -> None:
    response = _post(client, town, api_key + "x")
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403


def test_a_deactivated_key_is_403(client: Any, town: Any) -> None:
    out = StringIO()
    call_command("open311_client", "add", "Old app", stdout=out)
    key = out.getvalue().split()[-1]
    call_command("open311_client", "deactivate", "Old app", stdout=StringIO())
    assert _post(client, town, key).status_code == 403
    call_command("open311_client", "activate", "Old app", stdout=StringIO())
    assert _post(client, town, key).status_code == 201


def test_a_key_for_one_jurisdiction_is_refused_elsewhere(client: Any, town: Any) -> None:
    out = StringIO()
    call_command(
        "open311_client", "add", "Council app", "--organisation", town.council.slug, stdout=out
    )
    key = out.getvalue().split()[-1]
    lat, lng = point_in(town.home)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "jurisdiction_id": town.force.slug,
            "service_code": "asb-noise",
            "lat": lat,
            "long": lng,
            "email": "resident@example.org",
            "description": "Noise",
        },
    )
    assert response.status_code == 403


def test_an_administrator_issues_a_key_in_the_admin(
    client_for: Any, personas: dict[str, Any], town: Any, client: Any
) -> None:
    from ourbeat.api.models import Open311Client
    from ourbeat.core.models import AuditEvent

    admin = client_for(personas["site_admin"])
    response = admin.post(
        "/en/admin/api/open311client/add/", {"name": "Partner app", "active": "on"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("Partner app" in m for m in shown), shown
    key = next(m for m in shown if "Partner app" in m).split()[-1]
    assert Open311Client.objects.filter(name="Partner app", active=True).count() == 1
    assert AuditEvent.objects.filter(action="api.open311_client.issue").exists()
    assert _post(client, town, key).status_code == 201
