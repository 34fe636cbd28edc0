"""Run the enrich worker with one raw message silently dropped: never processed, never acked.

This is what Faust's fetch loop does to messages it reads during recovery (see
hotline_enrich/stall.py). The worker itself is unchanged; only its handler is wrapped, so the
test can show that the stall watchdog rewinds the partition and the message is processed.
"""

from __future__ import annotations

import sys
from typing import Any

from hotline_enrich import handler
from hotline_enrich.__main__ import main

_original = handler.BatchHandler.add
_dropped: set[tuple[int, int]] = set()


async def _drop_first_on_partition_0(self: handler.BatchHandler, event: Any) -> Any:
    where = (event.message.partition, event.message.offset)
    if where[0] == 0 and not _dropped:
        _dropped.add(where)
        sys.stderr.write(f"FAULT: dropped partition {where[0]} offset {where[1]}\n")
        return None
    return await _original(self, event)


handler.BatchHandler.add = _drop_first_on_partition_0  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main())
