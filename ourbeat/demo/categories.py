"""The demo town's concern categories: groups, Russian names, response commitments, extra
questions and routing (the council answers for lights and fly-tipping everywhere, and for
drug litter in the east district)."""

from __future__ import annotations

from typing import Any

# (code, group, name, ru_group, ru_name, sensitive, resolution, first, plan, responsible, questions)
TIME_OF_DAY = {
    "code": "time_of_day",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": "When does it happen most?",
    "description": "When does it happen most?",
    "values": [
        {"key": "morning", "name": "Morning"},
        {"key": "afternoon", "name": "Afternoon"},
        {"key": "evening", "name": "Evening"},
        {"key": "night", "name": "Night"},
    ],
}
COLUMN_NUMBER = {
    "code": "column_number",
    "datatype": "string",
    "required": False,
    "datatype_description": "The number on the lamp post, if you can see it",
    "description": "Lamp post number",
    "values": [],
}

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "asb-noise",
        "group": "Anti-social behaviour",
        "name": "Noise and nuisance",
        "ru": ("Антиобщественное поведение", "Шум и беспокойство"),
        "questions": [TIME_OF_DAY],
    },
    {
        "code": "asb-groups",
        "group": "Anti-social behaviour",
        "name": "Groups causing intimidation",
        "ru": ("Антиобщественное поведение", "Запугивание группами людей"),
        "questions": [TIME_OF_DAY],
    },
    {
        "code": "asb-vandalism",
        "group": "Anti-social behaviour",
        "name": "Vandalism and graffiti",
        "ru": ("Антиобщественное поведение", "Вандализм и граффити"),
    },
    {
        "code": "drugs-dealing",
        "group": "Drugs",
        "name": "Drug dealing",
        "ru": ("Наркотики", "Торговля наркотиками"),
        "resolution": 8,
        "questions": [TIME_OF_DAY],
    },
    {
        "code": "drugs-litter",
        "group": "Drugs",
        "name": "Drug litter and needles",
        "ru": ("Наркотики", "Шприцы и мусор от наркотиков"),
        "first": 1,
        "plan": 5,
        "routes": {"MBD2": "millbrook-council"},
    },
    {
        "code": "roads-speeding",
        "group": "Roads and traffic",
        "name": "Speeding",
        "ru": ("Дороги и движение", "Превышение скорости"),
        "questions": [TIME_OF_DAY],
    },
    {
        "code": "roads-parking",
        "group": "Roads and traffic",
        "name": "Dangerous or obstructive parking",
        "ru": ("Дороги и движение", "Опасная или мешающая парковка"),
    },
    {
        "code": "street-light",
        "group": "Street environment",
        "name": "Broken street light",
        "ru": ("Городская среда", "Неисправный уличный фонарь"),
        "first": 2,
        "plan": 10,
        "routes": {None: "millbrook-council"},
        "questions": [COLUMN_NUMBER],
    },
    {
        "code": "street-flytipping",
        "group": "Street environment",
        "name": "Fly-tipping",
        "ru": ("Городская среда", "Незаконная свалка мусора"),
        "routes": {None: "millbrook-council"},
    },
    {
        "code": "safety-unsafe-place",
        "group": "Feeling safe",
        "name": "A place that feels unsafe",
        "ru": ("Чувство безопасности", "Место, где небезопасно"),
    },
    {
        "code": "safety-hate",
        "group": "Feeling safe",
        "name": "Hate incidents",
        "ru": ("Чувство безопасности", "Инциденты на почве ненависти"),
        "sensitive": True,
    },
    {
        "code": "safety-vulnerable",
        "group": "Feeling safe",
        "name": "Worried about a vulnerable person",
        "ru": ("Чувство безопасности", "Беспокойство об уязвимом человеке"),
        "sensitive": True,
        "first": 1,
        "plan": 3,
    },
]
