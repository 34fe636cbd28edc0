"""The business rules: one settings group, read by every service.

Every service's Settings nests `Rules` under `HOTLINE_RULES__`, so one value set once in the
environment (a k8s ConfigMap, compose's `x-rules-env`, `deploy/local/pipeline.sh`) applies to
call records (enrich), stored views (`hotline migrate` loads the values into the ClickHouse
table `rules`, which the views read), the board and the report alike:

- `HOTLINE_RULES__SCHEDULE_FILE`: opening hours, pilot dates and holidays (JSON, see
  `hours`); default the shipped `reference/schedule.json`;
- `HOTLINE_RULES__TAXONOMY_FILE`: topics, codes and scope (JSON, see `taxonomy`); default the
  shipped `reference/taxonomy.json`;
- `HOTLINE_RULES__SERVICE_LEVEL_SECONDS` (20): answered within this many seconds of queue entry;
- `HOTLINE_RULES__SERVICE_LEVEL_TARGET` (0.8): the share of calls that should be;
- `HOTLINE_RULES__SHORT_ABANDON_SECONDS` (5): abandons in the queue sooner than this count in
  no ratio;
- `HOTLINE_RULES__REPEAT_CALLER_DAYS` (7): a call from the same caller within this many days
  of the previous one is a repeat call.

This is a plain model (like `config.KafkaConnection`): each service's BaseSettings reads it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from hotline_schemas import kpi
from hotline_schemas.hours import OpeningSchedule, load_schedule
from hotline_schemas.taxonomy import Taxonomy, load_taxonomy


class Rules(BaseModel):
    model_config = ConfigDict(frozen=True)

    schedule_file: Path | None = Field(
        default=None, description="Opening schedule JSON; None: the shipped pilot schedule."
    )
    taxonomy_file: Path | None = Field(
        default=None, description="Topic taxonomy JSON; None: the shipped taxonomy."
    )
    service_level_seconds: float = Field(default=kpi.SERVICE_LEVEL_S, gt=0)
    service_level_target: float = Field(default=kpi.SERVICE_LEVEL_TARGET, gt=0, le=1)
    short_abandon_seconds: float = Field(default=kpi.SHORT_ABANDON_S, ge=0)
    repeat_caller_days: int = Field(default=kpi.REPEAT_CALLER_DAYS, ge=1, le=366)

    def schedule(self) -> OpeningSchedule:
        return load_schedule(self.schedule_file)

    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.taxonomy_file)

    def thresholds(self) -> kpi.Thresholds:
        return kpi.Thresholds(
            service_level_s=self.service_level_seconds, short_abandon_s=self.short_abandon_seconds
        )

    def values(self) -> dict[str, float]:
        """The numeric rules by name, as `hotline migrate` stores them for the views."""
        return {
            "service_level_seconds": self.service_level_seconds,
            "service_level_target": self.service_level_target,
            "short_abandon_seconds": self.short_abandon_seconds,
            "repeat_caller_days": float(self.repeat_caller_days),
        }
