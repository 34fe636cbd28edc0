"""The provider's codes match the default taxonomy of the contract package, so no simulated
call is classified by accident. The simulator plays an external provider and does not read the
taxonomy at run time; this test reads the shipped file."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest

from hotline_schemas.taxonomy import DEFAULT_TAXONOMY_FILE
from hotline_simulator.topics import TOPICS, choose_ivr_digit, choose_topic, choose_wrap_up_code

TAXONOMY = DEFAULT_TAXONOMY_FILE


@pytest.fixture(scope="module")
def taxonomy() -> dict[str, dict[str, Any]]:
    topics = json.loads(TAXONOMY.read_text(encoding="utf-8"))["topics"]
    return {topic["id"]: topic for topic in topics}


def test_every_wrap_up_code_maps_to_the_same_topic_in_enrich(
    taxonomy: dict[str, dict[str, Any]],
) -> None:
    for topic in TOPICS:
        assert topic.id in taxonomy
        assert taxonomy[topic.id]["in_scope"] is topic.in_scope
        for code, _ in topic.wrap_up_codes:
            assert code in taxonomy[topic.id]["wrap_up_codes"], (topic.id, code)


def test_every_ivr_digit_is_known_to_enrich(taxonomy: dict[str, dict[str, Any]]) -> None:
    known = {digit for topic in taxonomy.values() for digit in topic["ivr_choices"]}
    assert {t.ivr_digit for t in TOPICS if t.ivr_digit} <= known


def test_the_topic_mix_includes_out_of_scope_calls() -> None:
    rng = random.Random(1)
    drawn = Counter(choose_topic(rng).in_scope for _ in range(5_000))
    assert 0.05 < drawn[False] / 5_000 < 0.25


def test_callers_mostly_press_the_digit_that_fits() -> None:
    rng = random.Random(2)
    login = next(t for t in TOPICS if t.id == "nemid_login")
    digits = Counter(choose_ivr_digit(login, rng) for _ in range(5_000))
    assert digits["1"] / 5_000 > 0.7
    assert digits[None] > 0


def test_about_one_answered_call_in_ten_has_no_wrap_up_code() -> None:
    rng = random.Random(3)
    codes = [choose_wrap_up_code(TOPICS[0], rng) for _ in range(5_000)]
    assert sum(c is None for c in codes) / 5_000 == pytest.approx(0.10, abs=0.02)
