"""Topics: wrap-up code, then IVR choice, then unknown; an explicit out-of-scope class."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hotline_schemas.taxonomy import Taxonomy, classify, load_taxonomy

DEFAULT = load_taxonomy(None)


def test_wrap_up_code_wins_over_ivr_choice() -> None:
    assert classify(DEFAULT, "MITID", "2") == ("nemid_login", "wrap_up_code", True)


def test_ivr_choice_when_no_wrap_up_code() -> None:
    assert classify(DEFAULT, None, "3") == ("moving", "ivr_choice", True)


def test_unknown_wrap_up_code_falls_through_to_ivr_choice() -> None:
    assert classify(DEFAULT, "NO-SUCH-CODE", "4") == ("booking", "ivr_choice", True)


def test_nothing_known_is_unknown() -> None:
    assert classify(DEFAULT, None, None) == ("unknown", "none", True)
    assert classify(DEFAULT, "NO-SUCH-CODE", "9") == ("unknown", "none", True)


def test_codes_are_matched_case_insensitively_and_stripped() -> None:
    assert classify(DEFAULT, " eboks ", None).topic == "digital_post"
    assert classify(DEFAULT, None, " 1 ").topic == "nemid_login"


@pytest.mark.parametrize(
    ("wrap_up", "ivr", "topic"),
    [
        ("SAG", None, "case_handling"),
        ("SAGSSTATUS", "1", "case_status"),
        (None, "6", "case_handling"),
    ],
)
def test_case_handling_and_status_are_out_of_scope(
    wrap_up: str | None, ivr: str | None, topic: str
) -> None:
    result = classify(DEFAULT, wrap_up, ivr)
    assert (result.topic, result.in_scope) == (topic, False)


def test_default_covers_the_scope_and_ivr_digits_one_to_six() -> None:
    ids = {t.id for t in DEFAULT.topics}
    assert {
        "nemid_login",
        "digital_post",
        "borger_dk",
        "moving",
        "booking",
        "municipal_web",
        "self_service_other",
        "case_handling",
        "case_status",
        "unknown",
    } <= ids
    assert sorted(DEFAULT.by_ivr) == ["1", "2", "3", "4", "5", "6"]
    assert all(t.label.da and t.label.en for t in DEFAULT.topics)


def test_invalid_taxonomies_are_rejected() -> None:
    topic = {"id": "x", "label": {"da": "x", "en": "x"}, "in_scope": True}
    unknown = {"id": "unknown", "label": {"da": "u", "en": "u"}, "in_scope": True}
    with pytest.raises(ValidationError, match="unknown"):
        Taxonomy.model_validate({"topics": [topic]})
    with pytest.raises(ValidationError, match="more than one topic"):
        Taxonomy.model_validate(
            {
                "topics": [
                    {**topic, "wrap_up_codes": ["A"]},
                    {**topic, "id": "y", "wrap_up_codes": ["a"]},
                    unknown,
                ]
            }
        )
