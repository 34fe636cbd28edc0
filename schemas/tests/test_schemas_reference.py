"""Postcode -> municipality: primary first, all candidates kept, unknown never guessed."""

from __future__ import annotations

import pytest

from hotline_schemas.reference_data import PostcodeTable

TABLE = PostcodeTable.load()


def test_the_whole_shipped_table_loads_with_the_seven_members() -> None:
    assert len(TABLE) == 124
    assert TABLE.members == frozenset({751, 740, 746, 710, 706, 707, 727})


def test_single_municipality_postcode() -> None:
    hit = TABLE.lookup("8000")
    assert (hit.known, hit.code, hit.name) == (True, 751, "Aarhus")
    assert hit.candidates == (751,)
    assert hit.ambiguous is False
    assert hit.in_catchment is True


@pytest.mark.parametrize(
    ("postcode", "primary", "candidates"),
    [
        ("8300", 727, (727, 751)),  # Odder, shared(2)
        ("8471", 751, (751, 710, 746)),  # Sabro, shared(3)
        ("8660", 746, (746, 615, 727, 751)),  # Skanderborg, shared(4)
    ],
)
def test_shared_postcode_keeps_every_candidate_primary_first(
    postcode: str, primary: int, candidates: tuple[int, ...]
) -> None:
    hit = TABLE.lookup(postcode)
    assert hit.code == primary
    assert hit.candidates == candidates
    assert hit.ambiguous is True
    assert hit.in_catchment is True


def test_primary_outside_the_seven_is_not_in_the_catchment() -> None:
    # 8740 Brædstrup touches Silkeborg but its primary (GeoNames) municipality is Horsens.
    hit = TABLE.lookup("8740")
    assert (hit.code, hit.name, hit.candidates) == (615, "Horsens", (615, 740))
    assert hit.in_catchment is False


def test_control_postcode_is_known_but_outside_the_catchment() -> None:
    hit = TABLE.lookup("8900")
    assert (hit.known, hit.code, hit.name) == (True, 730, "Randers")
    assert hit.in_catchment is False
    assert hit.ambiguous is False


@pytest.mark.parametrize("postcode", ["12", "abcd", "9999", "", "   ", None, "80 00x"])
def test_unknown_or_missing_postcode_maps_to_nothing(postcode: str | None) -> None:
    hit = TABLE.lookup(postcode)
    assert hit.known is False
    assert hit.code is None
    assert hit.name is None
    assert hit.candidates == ()
    assert hit.ambiguous is False
    assert hit.in_catchment is False


@pytest.mark.parametrize("postcode", [" 8000", "8000 ", "80 00", "\t8000\n"])
def test_whitespace_is_stripped(postcode: str) -> None:
    hit = TABLE.lookup(postcode)
    assert (hit.postcode, hit.code) == ("8000", 751)
