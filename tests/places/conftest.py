"""Fixtures of the places tests (the fresh police service lives in ``boundaries``)."""

from tests.places.boundaries import fresh

__all__ = ["fresh"]
