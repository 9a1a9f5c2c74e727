"""The sentence embedding measured for recurring concerns runs offline: WordLlama's weights
and tokenizer are read from the files its PyPI package ships, with every network connection
refused and no cache directory to fall back on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ourbeat.analytics import recurring


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the embedding tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.cache/wordllama to fall back on
    recurring.embedding_model.cache_clear()
    yield
    recurring.embedding_model.cache_clear()


def test_the_model_loads_from_the_package_with_the_network_refused(no_network: None) -> None:
    import wordllama

    weights, tokenizer = recurring._wordllama_files()
    package = Path(wordllama.__file__).resolve().parent
    assert weights.resolve().is_relative_to(package)
    assert tokenizer.resolve().is_relative_to(package)
    vectors = recurring.embed(
        ["Broken street light on Mill Lane", "Broken street light on Mill Lane", "Не горит фонарь"]
    )
    assert vectors.shape == (3, recurring.WORDLLAMA_DIM)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(np.ones(3))
    assert vectors[0] @ vectors[1] == pytest.approx(1.0)
    assert vectors[0] @ vectors[2] < 0.99


def test_an_empty_text_embeds_as_zeros_not_as_nan(no_network: None) -> None:
    vectors = recurring.embed(["", "Loud music at night"])
    assert np.all(np.isfinite(vectors))
    assert np.all(vectors[0] == 0)


def test_loading_the_model_leaves_the_sites_logging_alone(
    no_network: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """wordllama calls logging.basicConfig() when first imported, which would add a handler
    to a root logger that has none and lower its level to INFO."""
    import logging
    import sys

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    for name in [n for n in sys.modules if n == "wordllama" or n.startswith("wordllama.")]:
        monkeypatch.delitem(sys.modules, name)
    recurring.embedding_model()
    assert "wordllama.inference" in sys.modules
    assert root.handlers == []
    assert root.level == logging.WARNING
