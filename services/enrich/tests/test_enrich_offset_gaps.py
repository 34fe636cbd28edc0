"""Faust's offset-gap bookkeeping after a rewind, on the app's real (never started) consumer.

What the fault suite saw after enrich was killed twice under load: the partition was rewound to
its committed offset 498 (offsets.py), but a message fetched before the seek, offset 1157, still
arrived first. Faust took the jump for offsets that do not exist, recorded 499..1156 as a gap
and, at its next commit, counted them as acked. The rewound messages were then processed and
acked in order, each of them now twice in Faust's list, and the commit advanced one offset per
commit interval: about 3,600 behind for half an hour, `hotline topics lag --wait` timed out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from faust.types import TP
from prometheus_client import CollectorRegistry

from hotline_enrich.app import create_app
from hotline_enrich.context import load_context
from hotline_enrich.metrics import EnrichMetrics
from hotline_enrich.settings import Settings

COMMITTED = 498
STALE = 1157  # fetched before the rewind's seek, delivered after it
PROCESSED = range(COMMITTED, 948)  # the rewound messages, processed and acked in order


def _settings(tmp_path: Any) -> Settings:
    return Settings(
        pseudonym_secret="a-test-secret-of-some-length",
        app_id="hotline-enrich-gaps-test",
        raw_topic="t.raw",
        state_dir=tmp_path,
    )


async def _commit_after_rewind(tmp_path: Any, captured: Any, assigned: bool) -> list[int | None]:
    app = create_app(
        _settings(tmp_path),
        load_context(_settings(tmp_path)),
        metrics=EnrichMetrics(CollectorRegistry()),
        wiring=captured.wiring(),
    )
    consumer = app.consumer
    tp = TP("t.raw", 0)
    if assigned:
        await app.on_partitions_assigned.send({tp})
    consumer._committed_offset[tp] = COMMITTED
    # Faust's drain loop, seeing STALE right after the seek to COMMITTED:
    await consumer._add_gap(tp, COMMITTED + 1, STALE - 1)
    for offset in PROCESSED:  # Consumer.ack(), for each message of the partition in turn
        consumer._acked[tp].append(offset)
        consumer._acked_index[tp].add(offset)
    commits = []
    for _ in range(3):  # three commit intervals, nothing new acked in between
        offset = consumer._new_offset(tp)
        commits.append(offset)
        if offset is not None:
            consumer._committed_offset[tp] = offset
    captured.close(app)
    return commits


def test_faust_alone_crawls_one_offset_per_commit_after_a_rewind(
    tmp_path: Any, captured: Any
) -> None:
    # The mechanism, with the app's wiring left out: this is what stalled enrich.
    commits = asyncio.run(_commit_after_rewind(tmp_path, captured, assigned=False))
    assert commits == [COMMITTED + 2, COMMITTED + 3, COMMITTED + 4]


def test_the_raw_topic_commits_everything_processed_at_once(tmp_path: Any, captured: Any) -> None:
    commits = asyncio.run(_commit_after_rewind(tmp_path, captured, assigned=True))
    assert commits == [PROCESSED[-1] + 1, None, None]
