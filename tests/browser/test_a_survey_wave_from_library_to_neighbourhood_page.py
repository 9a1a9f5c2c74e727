"""A residents' survey wave from the built-in library to the neighbourhood page, end to end on
the live server (issue 5, "Done when" 1).

An officer who serves a district sets up a wave of the built-in residents' questionnaire in
three of its neighbourhoods (A, B and C), in English and Russian, answered through its open
link, and opens it. Two residents of A answer on their phones: one in English with
JavaScript, one in Russian without it (through the questionnaire's own language link). More
answers come in through the fielding service on the live site: 14 more in A, 3 in B and 12
in C. The officer closes the wave, which weights A's answers to A's population margins.

What the neighbourhood pages must show, per headline item, follows from the one-way table
of the wave's answer counts and its total (which is public too): B (3) is under the
threshold of 10, so it is suppressed; the total minus A and C would then give B away, so
one of A and C is suppressed as well: the smaller, C (12), although it has enough answers
itself. A (15 or 16 answers) is published; B's 3 hidden beside C's 12 can only be known to
add up to 15.

A's figures are computed here independently of ourbeat: the sample's age-by-sex table is
proportional (each age band half women, half men), so raking to the margins ends at the
product of the two margins' ratios, ``w = (N_age / n_age) · (N_sex / n_sex)``, in closed
form; the share, its linearised standard error and t interval come from statsmodels' WLS
with HC1 errors; the change since the demo town's previous wave is Welch's, from the
earlier wave's stored weights. The demo town's own waves (``ourbeat.demo.surveys``) are all
there: ours closes last, so it is the page's latest."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import scipy.stats
import statsmodels.api as sm
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.browser.conftest import StaffMember, sign_in
from tests.fixtures.browser import axe_violations
from tests.fixtures.tags import unique_tag

pytestmark = pytest.mark.browser

# A, B and C: neighbourhoods of Millbrook West, which the officer serves as a whole (none
# of them the one whose page the accessibility tests check).
CODES = ("MB11", "MB12", "MB10")
CONFIDENCE = "police_good_job"  # the first overall-confidence item: the page's headline
FEAR = "safe_walking_after_dark"  # the first fear-of-crime item
OPEN = "one_issue"
CONFIDENCE_EN = (
    "Taking everything into account, how good a job do you think the police in this area are doing?"
)
CONFIDENCE_RU = "Учитывая всё, как вы оцениваете работу полиции в вашем районе?"
FEAR_EN = "How safe do you feel walking alone in this area after dark?"
FEAR_RU = (
    "Насколько безопасно вы себя чувствуете, когда идёте по вашему району в одиночку после "
    "наступления темноты?"
)
OPEN_EN = "What is the one issue you would most like the police to deal with in your area?"
OPEN_RU = (
    "Какой одной проблемой в вашем районе полиции, по-вашему, следует заняться в первую очередь?"
)
# Values reported on the page, and values that are not an answer ("don't know"; "I never
# walk alone after dark").
REPORTED = {CONFIDENCE: (4, 5), FEAR: (1, 2)}
MISSING = {CONFIDENCE: (99,), FEAR: (98, 99)}
# A's population (ours, replacing the demo's): the same total by age band and by sex.
AGE_MARGINS = {
    "16-24": 1500,
    "25-34": 2100,
    "35-44": 1800,
    "45-54": 1700,
    "55-64": 1400,
    "65+": 1500,
}
SEX_MARGINS = {"female": 5200, "male": 4800}
# The two residents who answer on their phones, both in A: (age band, sex, confidence, fear).
ENGLISH_RESIDENT = ("25-34", "female", 4, 2)  # "Good", "A bit unsafe"
RUSSIAN_RESIDENT = ("65+", "male", 3, 3)  # "Удовлетворительно", "Довольно безопасно"
# The rest of A, through the service. Each age band is half women, half men (with the two
# above), so the age-by-sex table is proportional; one answers "don't know" to confidence.
MORE_IN_A = [
    ("16-24", "female", 5, 3),
    ("16-24", "male", 2, 1),
    ("25-34", "male", 4, 4),
    ("35-44", "female", 4, 2),
    ("35-44", "male", 1, 3),
    ("45-54", "female", 3, 2),
    ("45-54", "male", 5, 4),
    ("55-64", "female", 4, 3),
    ("55-64", "female", 99, 4),
    ("55-64", "male", 2, 2),
    ("55-64", "male", 4, 3),
    ("65+", "female", 5, 1),
    ("65+", "female", 4, 3),
    ("65+", "male", 4, 3),
]
IN_B = [("", "", 4, 2), ("", "", 2, 3), ("", "", 5, 4)]
IN_C = [("", "", value % 5 + 1, value % 4 + 1) for value in range(12)]

SETUP = """
import json
from ourbeat.accounts.models import Membership, User
from ourbeat.places.models import Area
from ourbeat.surveys.models import Dimension, Instrument, PopulationMargin
from ourbeat.surveys.services.instruments import ensure_library

ensure_library()
areas = [Area.objects.get(code=code) for code in {codes!r}]
user = User.objects.get(email={email!r})
Membership.objects.filter(user=user).update(area=areas[0].parent)
PopulationMargin.objects.filter(area=areas[0]).delete()
PopulationMargin.objects.bulk_create(
    [PopulationMargin(area=areas[0], dimension=Dimension.AGE_BAND, category=c, population=p)
     for c, p in {ages!r}.items()]
    + [PopulationMargin(area=areas[0], dimension=Dimension.SEX, category=c, population=p)
       for c, p in {sexes!r}.items()]
)
instrument = (
    Instrument.objects.filter(organisation__isnull=True, key="residents_core")
    .order_by("-version").first()
)
print(json.dumps({{
    "areas": [{{"pk": a.pk, "name": a.name, "slug": a.slug, "district": a.parent.name}}
              for a in areas],
    "instrument": {{"title": instrument.title, "version": instrument.version}},
    "items": {{e.item.key: e.item.pk for e in instrument.entries.select_related("item")}},
}}))
"""

# What the residents' phones stored (before anything else is added to the wave).
STORED = """
import json
from ourbeat.surveys.models import Response, Wave
wave = Wave.objects.get(link_key={key!r})
print(json.dumps(sorted(
    [r.language, r.area_id, r.mode, r.age_band, r.sex, r.weight,
     sorted([a.item.key, a.value, a.text] for a in r.answers.select_related("item"))]
    for r in Response.objects.filter(wave=wave)
)))
"""

MORE_ANSWERS = """
from ourbeat.places.models import Area
from ourbeat.surveys.models import Mode, Wave
from ourbeat.surveys.services.fielding import response_submit
wave = Wave.objects.get(link_key={key!r})
count = 0
for area_pk, age_band, sex, confidence, fear in {rows!r}:
    response_submit(
        wave=wave, area=Area.objects.get(pk=area_pk), language="en", mode=Mode.OPEN_LINK,
        answers={{{confidence_pk}: confidence, {fear_pk}: fear}}, age_band=age_band, sex=sex,
    )
    count += 1
print(count)
"""

# A's answers to the two headline items in the demo town's latest closed wave before ours,
# with the weights its closing gave them.
EARLIER = """
import json
from ourbeat.surveys.models import Answer, Wave, WaveStatus
wave = (
    Wave.objects.filter(areas={area_pk}, status=WaveStatus.CLOSED)
    .exclude(link_key={key!r}).order_by("-closes_on", "-pk").first()
)
rows = {{}}
for item_key in ({confidence!r}, {fear!r}):
    rows[item_key] = list(
        Answer.objects.filter(item__key=item_key, response__wave=wave, response__area={area_pk})
        .values_list("value", "response__weight")
    )
print(json.dumps({{"title": wave.title, "rows": rows}}))
"""


def totp(page: Any, member: StaffMember) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.locator('input[name="code"]').fill(member.totp_code())
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff tools")


def percent(share: float) -> str:
    """As the page rounds a share: a whole percentage, clipped to 0–100."""
    return str(round(min(max(share, 0.0), 1.0) * 100))


def points(difference: float) -> str:
    value = round(difference * 100)
    return f"+{value}" if value > 0 else str(value).replace("-", "−")


class Share:
    """The weighted share of respondents giving a reported answer, with its linearised
    standard error and 95% t interval (statsmodels: WLS on a constant, HC1 errors)."""

    def __init__(self, values: list[int], weights: list[float], item: str) -> None:
        kept = [(v, w) for v, w in zip(values, weights, strict=True) if v not in MISSING[item]]
        y = np.asarray([float(v in REPORTED[item]) for v, _w in kept])
        w = np.asarray([w for _v, w in kept])
        fit = sm.WLS(y, np.ones((y.size, 1)), weights=w).fit(cov_type="HC1", use_t=True)
        low, high = fit.conf_int(alpha=0.05)[0]
        self.n = int(y.size)
        self.mean = float(fit.params[0])
        self.se = float(fit.bse[0])
        self.low, self.high = float(low), float(high)
        self.n_eff = float(w.sum() ** 2 / (w**2).sum())

    def change_since(self, earlier: Share) -> tuple[str, str, str, bool]:
        """Welch's t on two independent estimates: the difference in points, its interval,
        and whether it is significant at 5%."""
        v1, v2 = earlier.se**2, self.se**2
        df = (v1 + v2) ** 2 / (v1**2 / (earlier.n - 1) + v2**2 / (self.n - 1))
        difference = self.mean - earlier.mean
        se = math.sqrt(v1 + v2)
        half = float(scipy.stats.t.ppf(0.975, df)) * se
        p_value = float(2 * scipy.stats.t.sf(abs(difference / se), df))
        return (
            points(difference),
            points(difference - half),
            points(difference + half),
            p_value < 0.05,
        )


def raked_weights(rows: list[tuple[str, str, int, int]]) -> list[float]:
    """Raking to the margins, in closed form for a proportional age-by-sex table."""
    by_age = Counter(age for age, _sex, _c, _f in rows)
    by_sex = Counter(sex for _age, sex, _c, _f in rows)
    for (age, sex), n in Counter((age, sex) for age, sex, _c, _f in rows).items():
        assert n * len(rows) == by_age[age] * by_sex[sex], "the table must be proportional"
    return [
        AGE_MARGINS[age] / by_age[age] * SEX_MARGINS[sex] / by_sex[sex] for age, sex, _c, _f in rows
    ]


def choose(page: Any, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def headline_row(section: Any, wording: str) -> Any:
    return section.get_by_role("row").filter(has_text=wording)


def test_a_survey_wave_goes_from_the_library_to_the_neighbourhood_page(
    live_site: Any, phone: Any, phone_without_js: Any, desk: Any, make_officer: Any
) -> None:
    tag = unique_tag(8)
    officer = make_officer(CODES[0])
    found = json.loads(
        live_site.shell(
            SETUP.format(codes=CODES, email=officer.email, ages=AGE_MARGINS, sexes=SEX_MARGINS)
        ).splitlines()[-1]
    )
    area_a, area_b, area_c = found["areas"]
    items = found["items"]
    title_en = found["instrument"]["title"]["en"]
    title_ru = found["instrument"]["title"]["ru"]
    wave_title = f"Residents' survey {tag}"
    today = timezone.localdate()
    closes = today + timedelta(days=28)

    # 1. The officer sets up a wave of the built-in questionnaire and opens it.
    staff = desk
    sign_in(staff, live_site.url, officer.email, officer.password)
    totp(staff, officer)
    assert axe_violations(staff) == []
    staff.get_by_role("link", name="Survey waves").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Survey waves")
    assert axe_violations(staff) == []
    staff.get_by_role("link", name="Set up a wave").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Set up a survey wave")
    assert axe_violations(staff) == []
    staff.get_by_label("Questionnaire").select_option(
        label=f"{title_en} · v{found['instrument']['version']} · built-in"
    )
    staff.get_by_label("Title of the wave").fill(wave_title)
    neighbourhoods = staff.get_by_role("group", name="Neighbourhoods")
    for area in found["areas"]:
        neighbourhoods.get_by_label(area["name"], exact=True).check()
    staff.get_by_label("Opens").fill(today.isoformat())
    staff.get_by_label("Closes").fill(closes.isoformat())
    modes = staff.get_by_role("group", name="Ways of answering")
    modes.get_by_label("Open link").check()
    for other in ("Invited sample", "In person, entered by staff", "Paper, entered by staff"):
        modes.get_by_label(other).uncheck()
    languages = staff.get_by_role("group", name="Languages")
    languages.get_by_label("English").check()
    languages.get_by_label("Russian").check()
    staff.get_by_role("button", name="Set up the wave").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(wave_title)
    expect(staff.get_by_role("status")).to_contain_text("The wave is set up as a draft.")
    status = staff.locator("dt:has-text('Status') + dd")
    expect(status).to_have_text("Draft")
    expect(staff.locator("dt:has-text('Languages') + dd")).to_have_text("English, Russian")
    expect(staff.locator("dt:has-text('Ways of answering') + dd")).to_have_text("Open link")
    assert axe_violations(staff) == []
    staff.get_by_role("button", name="Open the wave").click()
    expect(staff.get_by_role("status")).to_contain_text("The wave is open")
    expect(status).to_have_text("Open")
    link = staff.locator("dt:has-text('Open link') + dd code").inner_text().strip()
    match = re.fullmatch(re.escape(live_site.url) + r"/en/s/([^/]+)/", link)
    assert match, link
    key = match.group(1)
    assert axe_violations(staff) == []

    # 2a. A resident of A answers in English on a phone with JavaScript.
    page = phone
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(title_en)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []
    page.locator("#field-area").get_by_label(area_a["name"], exact=True).check()
    choose(page, CONFIDENCE_EN, "Good")
    choose(page, FEAR_EN, "A bit unsafe")
    issue_en = f"Speeding cars on the main road at school time {tag}"
    page.get_by_label(OPEN_EN).fill(issue_en)
    choose(page, "Your age (optional)", "25 to 34")
    choose(page, "Your sex (optional)", "Female")
    page.get_by_role("button", name="Send my answers").click()
    expect(page).to_have_url(f"{live_site.url}/en/s/{key}/thanks/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your answers are recorded"
    )
    expect(page.locator("main")).to_contain_text(title_en)
    assert axe_violations(page) == []

    # 2b. Another answers in Russian on a phone without JavaScript, switching the
    # questionnaire's language with its own link. (The catalogue may not translate the
    # page's own words yet: the questions and answers are the library's Russian.)
    russian = phone_without_js
    russian.goto(link)
    russian.get_by_role("navigation", name="Languages of this survey").get_by_role(
        "link", name="Русский"
    ).click()
    ru_link = f"{live_site.url}/ru/s/{key}/"
    expect(russian).to_have_url(ru_link)
    expect(russian.locator("html")).to_have_attribute("lang", "ru")
    expect(russian.get_by_role("heading", level=1)).to_have_text(title_ru)
    russian.locator("#field-area").get_by_label(area_a["name"], exact=True).check()
    choose(russian, CONFIDENCE_RU, "Удовлетворительно")
    choose(russian, FEAR_RU, "Довольно безопасно")
    issue_ru = f"Наркоторговля в парке после наступления темноты {tag}"
    russian.get_by_label(OPEN_RU).fill(issue_ru)
    russian.locator("#field-age_band input[value='65+']").check()
    russian.locator("#field-sex input[value='male']").check()
    russian.locator("main form[method='post'] button[type='submit']").click()
    expect(russian).to_have_url(f"{ru_link}thanks/")
    expect(russian.locator("html")).to_have_attribute("lang", "ru")
    expect(russian.locator("main")).to_contain_text(title_ru)
    # The same Russian questionnaire passes the accessibility check (axe needs JavaScript).
    page.goto(ru_link)
    expect(page.get_by_role("heading", level=1)).to_have_text(title_ru)
    assert axe_violations(page) == []

    # What was stored: two anonymous responses in A, in their languages, nothing else
    # (answers in the order of their items' keys).
    stored = json.loads(live_site.shell(STORED.format(key=key)).splitlines()[-1])
    assert stored == [
        [
            "en",
            area_a["pk"],
            "open_link",
            "25-34",
            "female",
            None,
            [[OPEN, None, issue_en], [CONFIDENCE, 4, ""], [FEAR, 2, ""]],
        ],
        [
            "ru",
            area_a["pk"],
            "open_link",
            "65+",
            "male",
            None,
            [[OPEN, None, issue_ru], [CONFIDENCE, 3, ""], [FEAR, 3, ""]],
        ],
    ]

    # 3. Enough further answers for A to publish, too few in B, and C in between.
    rows = (
        [(area_a["pk"], *row) for row in MORE_IN_A]
        + [(area_b["pk"], *row) for row in IN_B]
        + [(area_c["pk"], *row) for row in IN_C]
    )
    added = live_site.shell(
        MORE_ANSWERS.format(
            key=key, rows=rows, confidence_pk=items[CONFIDENCE], fear_pk=items[FEAR]
        )
    )
    assert added.splitlines()[-1] == str(len(rows))

    # 4. The officer sees the counts and closes the wave.
    staff.reload()
    expect(staff.get_by_role("table")).to_contain_text(
        "31 responses, by neighbourhood and way of answering"
    )
    for area, count in ((area_a, 16), (area_b, 3), (area_c, 12)):
        expect(staff.get_by_role("row").filter(has_text=area["name"])).to_have_text(
            re.compile(rf"{re.escape(area['name'])}\s*{count}\s*{count}")
        )
    staff.get_by_role("button", name="Close the wave and weight the answers").click()
    expect(staff.get_by_role("status")).to_contain_text(
        "The wave is closed and its answers are weighted; it takes no more."
    )
    expect(status).to_have_text("Closed")
    expect(staff.get_by_role("button", name="Close the wave and weight the answers")).to_have_count(
        0
    )
    assert axe_violations(staff) == []
    staff.get_by_role("link", name="Survey waves").click()
    listed = staff.get_by_role("row").filter(has_text=wave_title)
    expect(listed.get_by_role("cell")).to_have_text([wave_title, re.compile(r"\S"), "Closed", "31"])
    # The link takes no more answers.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey is closed")

    # 5. A's page: confidence and fear, weighted to A's population, with 95% intervals.
    in_a = [ENGLISH_RESIDENT, RUSSIAN_RESIDENT, *MORE_IN_A]
    weights = raked_weights(in_a)
    shares = {
        CONFIDENCE: Share([row[2] for row in in_a], weights, CONFIDENCE),
        FEAR: Share([row[3] for row in in_a], weights, FEAR),
    }
    assert (shares[CONFIDENCE].n, shares[FEAR].n) == (15, 16)
    earlier = json.loads(
        live_site.shell(
            EARLIER.format(area_pk=area_a["pk"], key=key, confidence=CONFIDENCE, fear=FEAR)
        ).splitlines()[-1]
    )
    page.goto(f"{live_site.url}/en/n/{area_a['slug']}/")
    section = page.get_by_role("region", name="How residents feel")
    expect(section).to_be_visible()
    for item, wording, reported_as in (
        (CONFIDENCE, CONFIDENCE_EN, "Say the police do a good or excellent job"),
        (FEAR, FEAR_EN, "Feel unsafe walking alone after dark"),
    ):
        share = shares[item]
        row = headline_row(section, wording)
        expect(row.get_by_role("rowheader")).to_contain_text(reported_as)
        latest, change = row.get_by_role("cell").all()
        expect(latest.locator("strong")).to_have_text(f"{percent(share.mean)}%")
        expect(latest).to_contain_text(
            f"{percent(share.low)}–{percent(share.high)}%; {share.n} residents "
            f"(effective sample {round(share.n_eff)}, design effect "
        )
        shown = re.search(r"design effect ([0-9.]+)\)", latest.inner_text())
        assert shown is not None
        assert abs(float(shown.group(1)) - share.n / share.n_eff) <= 0.005 + 1e-9
        expect(latest).to_contain_text(f"{wave_title}, {closes:%B %Y}")
        before = Share(
            [v for v, _w in earlier["rows"][item]], [w for _v, w in earlier["rows"][item]], item
        )
        difference, low, high, significant = share.change_since(before)
        expect(change).to_contain_text(f"{difference} points ({low} to {high})")
        expect(change).to_contain_text(
            "a real change (statistically significant)"
            if significant
            else "not a clear change: within the margin of error"
        )
    assert (percent(shares[CONFIDENCE].mean), percent(shares[FEAR].mean)) == ("67", "44")
    expect(section).to_contain_text(
        f"{wave_title} ({closes:%B %Y}): {percent(shares[CONFIDENCE].mean)}% "
        f"({percent(shares[CONFIDENCE].low)}–{percent(shares[CONFIDENCE].high)}%)"
    )
    expect(section).to_contain_text(earlier["title"])
    assert axe_violations(page) == []

    # B is under the threshold; C would give B away by subtraction from the wave's total.
    for area in (area_b, area_c):
        page.goto(f"{live_site.url}/en/n/{area['slug']}/")
        section = page.get_by_role("region", name="How residents feel")
        for wording in (CONFIDENCE_EN, FEAR_EN):
            latest = headline_row(section, wording).get_by_role("cell").first
            expect(latest).to_contain_text("Too few answers to publish")
            expect(latest).to_contain_text(wave_title)
            expect(latest).not_to_contain_text("%")
            expect(latest.locator("strong")).to_have_count(0)

    # A's page in Russian: the same figures, with the library's Russian wording, under the
    # catalogue's Russian heading.
    page.goto(f"{live_site.url}/ru/n/{area_a['slug']}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    section = page.locator("section[aria-labelledby='survey-heading']")
    with translation.override("ru"):
        heading_ru = translation.gettext("How residents feel")
    expect(section.get_by_role("heading", level=2)).to_have_text(heading_ru)
    for item, wording in ((CONFIDENCE, CONFIDENCE_RU), (FEAR, FEAR_RU)):
        latest = headline_row(section, wording).get_by_role("cell").first
        expect(latest.locator("strong")).to_have_text(f"{percent(shares[item].mean)}%")
    expect(section).to_contain_text("Оценивают работу полиции как хорошую или отличную")
