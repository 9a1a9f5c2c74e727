"""Every setting is an environment variable listed in .env.example, and every setting,
manage command and API path that the docs name exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
ENV_READERS = {"env_str", "env_bool", "env_int", "env_list"}


def _variables_read_by_the_code() -> set[str]:
    names = set()
    for path in (ROOT / "ourbeat").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ENV_READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(str(node.args[0].value))
    return names


def _variables_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_listed_in_env_example() -> None:
    missing = _variables_read_by_the_code() - _variables_in_env_example()
    assert not missing, f"add these to .env.example with a comment: {sorted(missing)}"


def test_env_example_lists_no_variable_that_nothing_reads() -> None:
    makefile = (ROOT / "Makefile").read_text()
    read = _variables_read_by_the_code() | {n for n in ("PORT",) if f"$({n})" in makefile}
    stale = _variables_in_env_example() - read
    assert not stale, f"nothing reads these any more: {sorted(stale)}"


def test_each_variable_in_env_example_has_a_comment_above_it() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert index > 0, f"no comment above {line}"
            assert lines[index - 1].startswith("#"), f"no comment above {line}"


def _doc_text() -> str:
    return "\n".join(path.read_text() for path in DOCS if path.exists())


def test_every_setting_the_docs_name_exists() -> None:
    named = set(re.findall(r"\b(OURBEAT_[A-Z0-9_]+|DATABASE_URL)\b", _doc_text()))
    unknown = named - _variables_in_env_example()
    assert not unknown, f"the docs name settings that do not exist: {sorted(unknown)}"


def test_every_manage_command_the_docs_name_exists() -> None:
    named = set(re.findall(r"manage\.py ([a-z0-9_]+)", _doc_text()))
    unknown = named - set(get_commands())
    assert not unknown, f"the docs name commands that do not exist: {sorted(unknown)}"


def test_every_make_target_the_docs_name_exists() -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)`", _doc_text()))
    assert named, "the README names its make commands"
    assert not named - targets, f"unknown make targets in the docs: {sorted(named - targets)}"


@pytest.mark.django_db
def test_every_endpoint_the_docs_name_resolves() -> None:
    paths = set(re.findall(r"(/api/(?:v1|police-uk)/[A-Za-z0-9_{}./?=,&-]*)", _doc_text()))
    assert paths, "the docs name the API endpoints"
    for path in sorted(paths):
        concrete = re.sub(r"\{[^}]+\}", "x1", path.split("?")[0])
        try:
            resolve(concrete)
        except Resolver404:
            pytest.fail(f"the docs name {path}, which does not resolve")
