"""Who calls: a caller's number, postcode, IVR choice and concern (pure, seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hotline_simulator.reference import PostcodePools
from hotline_simulator.topics import Topic, choose_ivr_digit, choose_topic

WITHHELD_SHARE = 0.10
MISSING_POSTCODE_SHARE = 0.05
OUTSIDE_SHARE = 0.05
GARBAGE_SHARE = 0.01
# What callers key when they mistype: too short, too long, letter O for zero, nothing valid.
GARBAGE_POSTCODES = ("12", "99999", "0000", "8O00", "800", "*#")
# Danish subscriber numbers start with 2-9 (0 and 1 are not used as first digits).
_FIRST_DIGITS = "23456789"


@dataclass(frozen=True)
class Caller:
    number: str | None
    postcode: str | None
    ivr_choice: str | None
    topic: Topic


def draw_caller(pools: PostcodePools, rng: random.Random) -> Caller:
    topic = choose_topic(rng)
    return Caller(
        number=draw_number(rng),
        postcode=draw_postcode(pools, rng),
        ivr_choice=choose_ivr_digit(topic, rng),
        topic=topic,
    )


def draw_number(rng: random.Random) -> str | None:
    if rng.random() < WITHHELD_SHARE:
        return None
    rest = "".join(rng.choice("0123456789") for _ in range(7))
    return f"+45{rng.choice(_FIRST_DIGITS)}{rest}"


def draw_postcode(pools: PostcodePools, rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < MISSING_POSTCODE_SHARE:
        return None
    roll -= MISSING_POSTCODE_SHARE
    if roll < OUTSIDE_SHARE:
        return rng.choice(pools.outside)
    roll -= OUTSIDE_SHARE
    if roll < GARBAGE_SHARE:
        return rng.choice(GARBAGE_POSTCODES)
    municipality = rng.choices(pools.municipalities, weights=pools.populations)[0]
    return rng.choice(pools.by_municipality[municipality.code])
