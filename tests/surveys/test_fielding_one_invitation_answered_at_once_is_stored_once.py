"""One invitation answered twice at the same moment (a double tap, two tabs), on the live
site's database (SQLite or PostgreSQL) with threads that each hold their own connection:
exactly one response is stored, the other is refused as already answered, and the
invitation is gone. The wave the test opens is closed again at the end."""

from __future__ import annotations

import json
from typing import Any

RACE = """
import json, re, threading, datetime
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from ourbeat.accounts.models import User
from ourbeat.surveys.models import (
    Construct, Instrument, InstrumentItem, Invitation, Item, Response, Scale, Wave,
)
from ourbeat.surveys.services import fielding

settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
mail.outbox = []
officer = User.objects.get(email="officer@demo.ourbeat.example")
area = officer.memberships.get(role="officer").area
key = "race-" + timezone.now().strftime("%H%M%S%f")
points = [{"value": v, "label": {"en": str(v)}} for v in (1, 2, 3)]
scale = Scale.objects.create(key=key, points=points)
item = Item.objects.create(organisation=area.organisation, key=key, construct=Construct.TRUST,
                           wording={"en": "Race item"}, scale=scale)
instrument = Instrument.objects.create(organisation=area.organisation, key=key,
                                       title={"en": "Race"})
InstrumentItem.objects.create(instrument=instrument, item=item, position=1)
today = timezone.localdate()
wave = fielding.wave_create(actor=officer, organisation=area.organisation, instrument=instrument,
                            title="Race wave", areas=[area], opens_on=today,
                            closes_on=today + datetime.timedelta(days=3), modes=["invited"],
                            languages=["en"])
fielding.wave_open(actor=officer, wave=wave)
fielding.invitations_send(actor=officer, wave=wave, emails=["race@example.net"])
token = re.search(r"/s/i/([A-Za-z0-9_-]+)/", mail.outbox[0].body).group(1)
THREADS = 4
barrier = threading.Barrier(THREADS)
results = [None] * THREADS

def one(n):
    try:
        barrier.wait(timeout=20)
        fielding.response_submit(wave=Wave.objects.get(pk=wave.pk), area=area, language="en",
                                 answers={item.pk: 1 + n % 3}, mode="invited", token=token)
        results[n] = "ok"
    except ValidationError as error:
        results[n] = getattr(error, "code", None) or "; ".join(error.messages)
    except Exception as error:
        results[n] = "error: " + repr(error)
    finally:
        connections.close_all()

threads = [threading.Thread(target=one, args=(n,)) for n in range(THREADS)]
for t in threads: t.start()
for t in threads: t.join()
responses = Response.objects.filter(wave=wave).count()
answers = Response.objects.filter(wave=wave).values_list("answers__value", flat=True).count()
invitations = Invitation.objects.filter(wave=wave).count()
fielding.wave_close(actor=officer, wave=Wave.objects.get(pk=wave.pk))
print(json.dumps({"results": results, "responses": responses, "answers": answers,
                  "invitations": invitations}))
"""


def test_one_invitation_submitted_four_times_at_once_stores_one_response(live_site: Any) -> None:
    result = json.loads(live_site.shell(RACE).splitlines()[-1])
    assert sorted(result["results"]) == ["invitation", "invitation", "invitation", "ok"], result
    assert result["responses"] == 1
    assert result["answers"] == 1
    assert result["invitations"] == 0
