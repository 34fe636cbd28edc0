"""Call topics: which subject a call was about, and whether the hotline may handle it.

Precedence: the agent's wrap-up code, then the caller's IVR choice, then `unknown`. A wrap-up
code (or IVR choice) that the taxonomy does not know counts as absent, so an unknown wrap-up
code falls through to the IVR choice rather than hiding it. Codes are matched after stripping
whitespace and case-insensitively; IVR choices after stripping whitespace.

The default taxonomy ships with the reference data (`reference/taxonomy.json`); another one
can be configured as a file (`HOTLINE_RULES__TAXONOMY_FILE`). Its `unknown` topic counts as in
scope: a call nobody classified is not evidence of demand the hotline cannot meet (only the
explicit case-handling and case-status topics are).

Topic ids are named for what the topic was at the time of the calls: the pilot's log-in topic
is `nemid_login` (NemID was the Danish log-in in 2012-2013; MitID replaced it in 2021-2022), with
the current name as `current_label`. `former_ids` lists ids a topic had before a rename, so
rows stored under an old id still find their labels (`hotline migrate` loads them into the
`topics` dimension).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, model_validator

from hotline_schemas.paths import REFERENCE_DIR

DEFAULT_TAXONOMY_FILE = REFERENCE_DIR / "taxonomy.json"
UNKNOWN = "unknown"
TopicSource = Literal["wrap_up_code", "ivr_choice", "none"]


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    da: str
    en: str


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: Label
    in_scope: bool
    wrap_up_codes: tuple[str, ...] = ()
    ivr_choices: tuple[str, ...] = ()
    # What the subject is called today, when that differs from the label of its time.
    current_label: Label | None = None
    former_ids: tuple[str, ...] = ()


class Classification(NamedTuple):
    topic: str
    source: TopicSource
    in_scope: bool


def _code(value: str) -> str:
    return value.strip().casefold()


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: tuple[Topic, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [t.id for t in self.topics] + [f for t in self.topics for f in t.former_ids]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate topic ids in {ids}")
        if UNKNOWN not in ids:
            raise ValueError(f"the taxonomy needs a topic with id {UNKNOWN!r}")
        for kind, keys in (
            ("wrap-up code", [_code(c) for t in self.topics for c in t.wrap_up_codes]),
            ("IVR choice", [c.strip() for t in self.topics for c in t.ivr_choices]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"{kind}s mapped to more than one topic: {dupes}")
        return self

    @cached_property
    def by_wrap_up(self) -> dict[str, Topic]:
        return {_code(c): t for t in self.topics for c in t.wrap_up_codes}

    @cached_property
    def by_ivr(self) -> dict[str, Topic]:
        return {c.strip(): t for t in self.topics for c in t.ivr_choices}

    def find(self, topic_id: str) -> Topic | None:
        """The topic stored under `topic_id`, its current id or a former one; None if none."""
        for t in self.topics:
            if topic_id == t.id or topic_id in t.former_ids:
                return t
        return None

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)


def classify(
    taxonomy: Taxonomy, wrap_up_code: str | None, ivr_choice: str | None
) -> Classification:
    if wrap_up_code is not None and (hit := taxonomy.by_wrap_up.get(_code(wrap_up_code))):
        return Classification(hit.id, "wrap_up_code", hit.in_scope)
    if ivr_choice is not None and (hit := taxonomy.by_ivr.get(ivr_choice.strip())):
        return Classification(hit.id, "ivr_choice", hit.in_scope)
    unknown = taxonomy.topic(UNKNOWN)
    return Classification(unknown.id, "none", unknown.in_scope)


def load_taxonomy(path: Path | None) -> Taxonomy:
    """The taxonomy from a JSON file, or the shipped default when no file is configured."""
    return Taxonomy.model_validate_json((path or DEFAULT_TAXONOMY_FILE).read_bytes())
