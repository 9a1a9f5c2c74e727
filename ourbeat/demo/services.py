"""Loading the demo town through the same services as real data (boundary checks included)."""

from __future__ import annotations

import io
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from ourbeat.accounts.models import Membership, Role, User
from ourbeat.concerns.models import Category, RoutingRule
from ourbeat.core import audit
from ourbeat.core.geo import BoundaryFeature
from ourbeat.demo.concerns import demo_concerns_load
from ourbeat.demo.engagement import demo_engagement_load
from ourbeat.demo.incidents import demo_incidents_load
from ourbeat.demo.problems import demo_problems_load
from ourbeat.demo.surveys import demo_surveys_load
from ourbeat.demo.town import DemoArea, DemoTown, generate
from ourbeat.places.models import Area, AreaLevel, Organisation, OrganisationKind
from ourbeat.places.services import areas_import_features
from ourbeat.teams.models import (
    Assignment,
    ContactPoint,
    OccurrenceChange,
    OfficerProfile,
    VisibilityCommitment,
    VisibilityLog,
)
from ourbeat.teams.schedule import local_zone, occurrences

FORCE_SLUG = "millbrook"
PARTNERS = [
    (
        "Millbrook Borough Council",
        "millbrook-council",
        OrganisationKind.MUNICIPALITY,
        "Street lighting, parks, licensing and community safety.",
    ),
    (
        "Millbrook Homes",
        "millbrook-homes",
        OrganisationKind.PARTNER_AGENCY,
        "The housing association for 4,000 homes in the town.",
    ),
    (
        "Millbrook Youth Service",
        "millbrook-youth",
        OrganisationKind.PARTNER_AGENCY,
        "Youth clubs, detached youth work and holiday schemes.",
    ),
    (
        "Millbrook Schools Partnership",
        "millbrook-schools",
        OrganisationKind.PARTNER_AGENCY,
        "The town's primary and secondary schools.",
    ),
    (
        "Safe Streets Millbrook",
        "safe-streets",
        OrganisationKind.PARTNER_AGENCY,
        "A volunteer charity running street pastors and a night bus.",
    ),
    (
        "Millbrook Police and Community Board",
        "community-board",
        OrganisationKind.OVERSIGHT,
        "Residents' oversight of local policing.",
    ),
]


@dataclass
class DemoLogins:
    password: str
    accounts: list[tuple[str, str]]  # (email, what they can do)


def _feature(area: DemoArea) -> BoundaryFeature:
    return BoundaryFeature(
        name=area.name,
        code=area.code,
        geometry=area.geometry,
        properties={"population": area.population, "description": area.description},
    )


def _avatar(seed: int) -> ContentFile:
    """A friendly placeholder portrait: head and shoulders on a coloured ground."""
    rng = random.Random(seed)
    size = 256
    background = tuple(rng.randrange(150, 230) for _ in range(3))
    clothing = rng.choice([(20, 33, 61), (28, 40, 52), (40, 44, 52)])
    skin = rng.choice(
        [(241, 194, 160), (224, 172, 129), (198, 134, 90), (141, 85, 54), (96, 60, 40)]
    )
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((38, 170, 218, 330), fill=clothing)
    draw.ellipse((83, 58, 173, 158), fill=skin)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue())


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=local_zone())


def demo_town_exists() -> bool:
    return Organisation.objects.filter(slug=FORCE_SLUG).exists()


def demo_town_load(
    *, seed: int, today: date | None = None, with_photos: bool = True, concerns: bool = True
) -> DemoLogins:
    """Generate and store the demo town; returns the sign-in details of its demo accounts."""
    today = today or timezone.localdate()
    town: DemoTown = generate(seed, today)
    password = secrets.token_urlsafe(12)
    logins: list[tuple[str, str]] = []
    with transaction.atomic():
        force = Organisation.objects.create(
            kind=OrganisationKind.POLICE_SERVICE,
            name="Millbrook Constabulary",
            slug=FORCE_SLUG,
            description=(
                "Millbrook Constabulary polices the town of Millbrook and its twelve "
                "neighbourhoods."
            ),
            url="https://police.millbrook.example/",
            telephone="101",
            emergency_number="999",
            email="contact@police.millbrook.example",
            engagement_methods=[
                {
                    "title": "Facebook",
                    "url": "https://facebook.example/millbrookpolice",
                    "description": "Follow Millbrook Constabulary",
                },
                {"title": "telephone", "url": "", "description": "101"},
            ],
        )
        partners = {
            slug: Organisation.objects.create(
                kind=kind, name=name, slug=slug, description=description
            )
            for name, slug, kind, description in PARTNERS
        }
        service = areas_import_features(
            organisation=force,
            level=AreaLevel.SERVICE,
            parent=None,
            features=[_feature(town.service)],
            actor=None,
            source="demo town",
        ).created[0]
        districts = areas_import_features(
            organisation=force,
            level=AreaLevel.DISTRICT,
            parent=service,
            features=[_feature(d) for d in town.districts],
            actor=None,
            source="demo town",
        ).created
        by_code: dict[str, Area] = {service.code: service, **{d.code: d for d in districts}}
        for district, demo_district in zip(districts, town.districts, strict=True):
            members = [n for n in town.neighbourhoods if n.district == demo_district.name]
            for area in areas_import_features(
                organisation=force,
                level=AreaLevel.NEIGHBOURHOOD,
                parent=district,
                features=[_feature(n) for n in members],
                actor=None,
                source="demo town",
            ).created:
                by_code[area.code] = area
        for area in by_code.values():
            if area.level == AreaLevel.NEIGHBOURHOOD:
                area.contact_email = f"{area.slug}.team@police.millbrook.example"
                area.contact_telephone = "101"
                area.save(update_fields=["contact_email", "contact_telephone"])

        for index, person in enumerate(town.people):
            user = User.objects.create_user(
                email=person.email, password=None, display_name=person.name
            )
            scope: Area | None = (
                by_code.get(person.membership_area) if person.membership_area else None
            )
            Membership.objects.create(
                user=user, organisation=force, area=scope, role=person.membership_role
            )
            profile = OfficerProfile.objects.create(
                user=user,
                organisation=force,
                name=person.name,
                rank=person.rank,
                bio=person.bio,
                languages=person.languages,
            )
            if with_photos:
                profile.photo.save(f"demo-{index}.jpg", _avatar(person.photo_seed), save=True)
            for order, code in enumerate(person.areas):
                Assignment.objects.create(
                    profile=profile,
                    area=by_code[code],
                    role=person.role,
                    started_on=person.started_on,
                    order=order if person.rank != "Sergeant" else 50,
                )
        first_officer = next(p for p in town.people if p.rank == "Police Constable")
        first_sergeant = next(p for p in town.people if p.rank == "Sergeant")
        demo_accounts: list[tuple[str, str, Role | None, Area | None]] = [
            ("admin@demo.ourbeat.example", "site administrator (Django admin)", None, None),
            (
                "officer@demo.ourbeat.example",
                f"officer in {by_code[first_officer.areas[0]].name}",
                Role.OFFICER,
                by_code[first_officer.areas[0]],
            ),
            (
                "supervisor@demo.ourbeat.example",
                f"supervisor of {by_code[first_sergeant.membership_area].name}",
                Role.SUPERVISOR,
                by_code[first_sergeant.membership_area],
            ),
            ("analyst@demo.ourbeat.example", "analyst for the whole force", Role.ANALYST, None),
        ]
        for email, what, role, scope_area in demo_accounts:
            if role is None:
                User.objects.create_superuser(
                    email=email, password=password, display_name="Demo administrator"
                )
            else:
                user = User.objects.create_user(
                    email=email, password=password, display_name=f"Demo {role.label.lower()}"
                )
                Membership.objects.create(user=user, organisation=force, area=scope_area, role=role)
                if role == Role.OFFICER and scope_area is not None:
                    OfficerProfile.objects.create(
                        user=user,
                        organisation=force,
                        name="Alex Demo",
                        rank="Police Constable",
                        bio="A demo account: sign in as this officer to edit this profile.",
                        languages=["en", "ru"],
                    )
                    Assignment.objects.create(
                        profile=user.officer_profile,
                        area=scope_area,
                        role="Neighbourhood officer",
                        started_on=today - timedelta(days=400),
                    )
            logins.append((email, what))
        partner_user = User.objects.create_user(
            email="council@demo.ourbeat.example",
            password=password,
            display_name="Demo council officer",
        )
        Membership.objects.create(
            user=partner_user, organisation=partners["millbrook-council"], role=Role.PARTNER_STAFF
        )
        logins.append(("council@demo.ourbeat.example", "partner agency staff (council)"))
        board_user = User.objects.create_user(
            email="board@demo.ourbeat.example", password=password, display_name="Demo board member"
        )
        Membership.objects.create(
            user=board_user, organisation=partners["community-board"], role=Role.OVERSIGHT
        )
        logins.append(("board@demo.ourbeat.example", "oversight board member"))

        points: dict[str, list[ContactPoint]] = {}
        for item in town.contact_points:
            point = ContactPoint.objects.create(
                area=by_code[item.area],
                kind=item.kind,
                title=item.title,
                description=item.description,
                venue=item.venue,
                address=item.address,
                accessibility=item.accessibility,
                latitude=item.latitude,
                longitude=item.longitude,
                starts_at=_aware(item.starts_at),
                duration_minutes=item.duration_minutes,
                rrule=item.rrule,
            )
            points.setdefault(item.area, []).append(point)
        now = timezone.now()
        for code, point_index, occurrence_index, status, reason in town.changes:
            point = points[code][point_index]
            upcoming = occurrences(point, now, now + timedelta(days=120))
            original = upcoming[occurrence_index].original_start
            OccurrenceChange.objects.create(
                contact_point=point,
                original_start=original,
                status=status,
                reason=reason,
                new_start=original + timedelta(days=1) if status == "moved" else None,
                new_venue="St Mary's Church Hall" if status == "moved" else "",
            )
        for code, targets in town.commitments.items():
            for metric, target in targets.items():
                VisibilityCommitment.objects.create(
                    area=by_code[code], metric=metric, monthly_target=Decimal(str(target))
                )
        VisibilityLog.objects.bulk_create(
            [
                VisibilityLog(
                    area=by_code[code],
                    day=day,
                    metric=metric,
                    amount=Decimal(str(amount)).quantize(Decimal("0.1")),
                )
                for code, day, metric, amount in town.logs
            ],
            batch_size=1000,
        )
        demo_categories_load(force=force)
        if concerns:
            demo_concerns_load(town=town, seed=seed, today=today, force=force)
        demo_engagement_load(seed=seed, today=today, force=force)
        demo_surveys_load(seed=seed, today=today, force=force)
        planted = demo_incidents_load(town=town, seed=seed, today=today, force=force)
        # The worked cases come last: they are opened from the incidents, concerns and
        # priorities loaded above.
        demo_problems_load(today=today, force=force, planted=planted, seed=seed)
        audit.record(
            "demo.town.load",
            actor=None,
            obj=force,
            data={
                "seed": seed,
                "today": today.isoformat(),
                "neighbourhoods": len(town.neighbourhoods),
                "people": len(town.people),
            },
        )
    return DemoLogins(password=password, accounts=logins)


def demo_categories_load(*, force: Organisation) -> list[Category]:
    """The categories of the demo town with their routing rules (no audit event: part of the
    demo load)."""
    from ourbeat.demo.categories import CATEGORIES

    areas = {a.code: a for a in Area.objects.filter(organisation=force)}
    created = []
    for order, spec in enumerate(CATEGORIES):
        ru_group, ru_name = spec["ru"]
        category = Category.objects.create(
            organisation=force,
            code=spec["code"],
            group=spec["group"],
            name=spec["name"],
            translations={"ru": {"group": ru_group, "name": ru_name}},
            sensitive=spec.get("sensitive", False),
            public_resolution=spec.get("resolution", 9),
            first_response_days=spec.get("first", 2),
            resolution_plan_days=spec.get("plan", 10),
            questions=spec.get("questions", []),
            order=order,
        )
        for area_code, organisation_slug in spec.get("routes", {}).items():
            RoutingRule.objects.create(
                category=category,
                area=areas[area_code] if area_code else None,
                responsible=Organisation.objects.get(slug=organisation_slug),
            )
        created.append(category)
    return created
