"""What callers ring about, and the codes the provider's agents and IVR report for it.

The codes match the default taxonomy
(schemas/src/hotline_schemas/reference/taxonomy.json); a test fails when they drift. The
simulator does not import it at run time: it plays an external provider whose phone system is
configured with these codes, and enrich must cope with whatever that system sends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

IVR_DIGITS = ("1", "2", "3", "4", "5", "6")


@dataclass(frozen=True)
class Topic:
    id: str
    weight: float
    # Wrap-up codes an agent may set for this topic, with relative weights.
    wrap_up_codes: tuple[tuple[str, float], ...]
    # The menu digit a caller with this concern most likely presses.
    ivr_digit: str | None
    in_scope: bool = True


# A plausible mix for the hotline's first years: log-in and Digital Post dominate; case
# handling and case status are out of scope but still arrive.
TOPICS: tuple[Topic, ...] = (
    Topic("nemid_login", 0.28, (("NEMID", 0.55), ("MITID", 0.35), ("LOGIN", 0.10)), "1"),
    Topic("digital_post", 0.20, (("DIGITALPOST", 0.85), ("EBOKS", 0.15)), "2"),
    Topic("moving", 0.10, (("FLYT", 0.9), ("FLYTNING", 0.1)), "3"),
    Topic("booking", 0.06, (("BOOK", 0.8), ("TIDSBESTILLING", 0.2)), "4"),
    Topic("borger_dk", 0.11, (("BORGERDK", 1.0),), "5"),
    Topic("municipal_web", 0.07, (("WEB", 0.6), ("INFO", 0.4)), None),
    Topic("self_service_other", 0.06, (("SELVBETJENING", 0.7), ("ANDEN", 0.3)), None),
    Topic("case_handling", 0.07, (("SAG", 0.8), ("SAGSBEHANDLING", 0.2)), "6", in_scope=False),
    Topic("case_status", 0.05, (("SAGSSTATUS", 0.7), ("STATUS", 0.3)), "6", in_scope=False),
)

NO_WRAP_UP_SHARE = 0.10  # agents forget to set a code on about one answered call in ten
IVR_MATCH_SHARE = 0.80  # callers pressing the digit that fits their concern
IVR_NONE_SHARE = 0.08  # callers who press nothing and fall through to the queue


def choose_topic(rng: random.Random) -> Topic:
    return rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]


def choose_ivr_digit(topic: Topic, rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < IVR_NONE_SHARE:
        return None
    if topic.ivr_digit is not None and roll < IVR_NONE_SHARE + IVR_MATCH_SHARE:
        return topic.ivr_digit
    return rng.choice(IVR_DIGITS)


def choose_wrap_up_code(topic: Topic, rng: random.Random) -> str | None:
    if rng.random() < NO_WRAP_UP_SHARE:
        return None
    codes = [code for code, _ in topic.wrap_up_codes]
    return rng.choices(codes, weights=[weight for _, weight in topic.wrap_up_codes])[0]
