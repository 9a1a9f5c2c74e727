"""Fixtures shared by the workspace tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def private_dir(settings: Any, tmp_path: Any) -> Any:
    """Case documents go to a directory of this test's own."""
    settings.OURBEAT_PRIVATE_DIR = tmp_path / "private"
    return settings.OURBEAT_PRIVATE_DIR


@pytest.fixture
def case(town: Any) -> Any:
    """A case led by the force in the officer's neighbourhood, with the council a member."""
    from ourbeat.problems.models import CaseMember, Problem

    problem = Problem.objects.create(
        organisation=town.force, area=town.home, title="Burglaries on Mill Lane"
    )
    CaseMember.objects.create(problem=problem, organisation=town.council, role="Street lighting")
    return problem
