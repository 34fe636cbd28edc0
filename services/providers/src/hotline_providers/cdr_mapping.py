"""The mapping file of a CSV call-detail export (TOML), and local times -> exact UTC (pure).

A provider that only offers statistics files exports one row per call. The mapping names the
columns, how times are written and in which zone; `docs/providers.md` explains each key and
`mappings/example-cdr.toml` (shipped in this package) is a complete example.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hotline_schemas import EndReason
from hotline_schemas.hours import known_zone

EXAMPLE = Path(__file__).resolve().parent / "mappings" / "example-cdr.toml"


class MappingError(ValueError):
    """The mapping file itself is wrong: nothing can be converted with it."""


class Columns(BaseModel):
    """CSV column header for each call field; only `call_id` and `offered_at` are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    call_id: str
    offered_at: str
    queued_at: str | None = None
    answered_at: str | None = None
    abandoned_at: str | None = None
    ended_at: str | None = None
    caller_number: str | None = None
    line: str | None = None
    caller_postcode: str | None = None
    ivr_choice: str | None = None
    agent_id: str | None = None
    queue: str | None = None
    wrap_up_code: str | None = None
    outcome: str | None = None


Outcome = Literal["answered"] | EndReason


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        min_length=1,
        max_length=24,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Names the export in call ids (`cdr-<name>:<id>`) and event ids.",
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    quotechar: str = Field(default='"', min_length=1, max_length=1)
    encoding: str = "utf-8-sig"
    time_format: str = Field(
        default="%Y-%m-%d %H:%M:%S",
        description="strptime format; with %z the offset in the value wins over time_zone.",
    )
    time_zone: str = "Europe/Copenhagen"
    ambiguous_times: Literal["reject", "earlier", "later"] = Field(
        default="reject",
        description=(
            "A local time in the hour repeated when daylight saving ends: reject the row, or "
            "take the earlier (summer time) or later (standard time) instant."
        ),
    )
    line: str = Field(default="+4570200000", description="When no line column gives one.")
    country_code: str = "45"
    columns: Columns
    outcomes: dict[str, Outcome] = Field(
        default_factory=dict,
        description="Values of the outcome column -> answered, or why the call ended.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def load(path: Path) -> Mapping:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from exc
    try:
        return Mapping.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise MappingError(f"{path}: {problems}") from exc


class LocalTimeError(ValueError):
    pass


def to_utc(local: datetime, zone: ZoneInfo, ambiguous: str = "reject") -> datetime:
    """A wall-clock time in `zone` as an exact UTC instant, daylight saving included.

    A time skipped when clocks go forward does not exist and is refused; a time in the hour
    repeated when they go back is ambiguous and follows `ambiguous`.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    earlier = local.replace(tzinfo=zone, fold=0)
    later = local.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        # The two folds differ only around a transition: in a gap or in a repeated hour.
        if _round_trips(earlier, zone):
            if ambiguous == "reject":
                raise LocalTimeError(
                    f"{local:%Y-%m-%d %H:%M:%S} happens twice in {zone.key} (daylight saving "
                    "ends); set ambiguous_times = 'earlier' or 'later' in the mapping"
                )
            chosen = earlier if ambiguous == "earlier" else later
            return chosen.astimezone(UTC)
        raise LocalTimeError(
            f"{local:%Y-%m-%d %H:%M:%S} does not exist in {zone.key} (clocks go forward that night)"
        )
    return earlier.astimezone(UTC)


def _round_trips(aware: datetime, zone: ZoneInfo) -> bool:
    back = aware.astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == aware.replace(tzinfo=None)


def parse_local(value: str, mapping: Mapping) -> datetime:
    try:
        parsed = datetime.strptime(value.strip(), mapping.time_format)
    except ValueError as exc:
        shown = value.strip()[:40]
        raise LocalTimeError(f"{shown!r} does not match {mapping.time_format!r}") from exc
    return to_utc(parsed, mapping.zone, mapping.ambiguous_times)
