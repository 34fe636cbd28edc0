"""What Amazon Connect's JSON records share: ISO 8601 timestamps and open-ended objects."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict


def _iso_string(value: Any) -> Any:
    # Connect writes ISO 8601 strings; a bare number would be read as Unix time.
    if value is not None and not isinstance(value, str):
        raise ValueError("must be an ISO 8601 timestamp string")
    return value


IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_string)]


class Lenient(BaseModel):
    # Connect keeps adding fields (backward compatible): ignore what we do not read.
    model_config = ConfigDict(extra="ignore", frozen=True)
