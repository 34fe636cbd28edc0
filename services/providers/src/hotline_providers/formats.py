"""The provider formats by name: an adapter and the framing of its files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotline_providers import cdr_mapping
from hotline_providers.asterisk_queue_log import QueueLogAdapter
from hotline_providers.cdr_csv import CdrCsvAdapter
from hotline_providers.connect_agent_events import ConnectAgentEventsAdapter
from hotline_providers.connect_ctr import ConnectCtrAdapter
from hotline_providers.model import Adapter
from hotline_providers.reading import Framing
from hotline_providers.settings import ProviderSettings
from hotline_schemas import Origin

QUEUE_LOG = "asterisk-queue-log"
CONNECT_CTR = "connect-ctr"
CONNECT_AGENT_EVENTS = "connect-agent-events"
CDR_CSV = "cdr-csv"
NAMES = (QUEUE_LOG, CONNECT_CTR, CONNECT_AGENT_EVENTS, CDR_CSV)


class FormatError(ValueError):
    """The format cannot be used as asked (unknown, or a mapping missing or wrong)."""


@dataclass(frozen=True)
class Format:
    name: str
    mapping: cdr_mapping.Mapping | None = None

    @property
    def framing(self) -> Framing:
        if self.mapping is not None:
            return Framing(
                encoding=self.mapping.encoding,
                quoted_newlines=True,
                quotechar=self.mapping.quotechar,
            )
        return Framing()

    def adapter(self, settings: ProviderSettings, origin: Origin) -> Adapter:
        if self.name == QUEUE_LOG:
            return QueueLogAdapter(settings.queue_log(), origin)
        if self.name == CONNECT_CTR:
            return ConnectCtrAdapter(settings.connect(), origin)
        if self.name == CONNECT_AGENT_EVENTS:
            return ConnectAgentEventsAdapter(settings.connect_agent_events(), origin)
        assert self.mapping is not None
        return CdrCsvAdapter(self.mapping, origin)


def resolve(name: str, mapping: Path | None) -> Format:
    """The format `name`, with its mapping file loaded (cdr-csv needs one, others take none)."""
    if name not in NAMES:
        raise FormatError(f"unknown format {name!r}; one of {', '.join(NAMES)}")
    if name == CDR_CSV:
        if mapping is None:
            raise FormatError("--from cdr-csv needs --mapping FILE (see docs/providers.md)")
        try:
            return Format(name, cdr_mapping.load(mapping))
        except cdr_mapping.MappingError as exc:
            raise FormatError(str(exc)) from exc
    if mapping is not None:
        raise FormatError(f"--mapping is for cdr-csv only, not {name}")
    return Format(name)
