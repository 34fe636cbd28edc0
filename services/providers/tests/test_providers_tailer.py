"""Following a growing file: complete lines only, rename and copy-truncate rotation, and a
saved position that survives a restart, also when the file was rotated meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline_providers.tailer import Tailer

Make = Callable[..., Tailer]


@pytest.fixture
def make() -> Iterator[Make]:
    """make(path, ...): a Tailer that is closed when the test ends."""
    made: list[Tailer] = []

    def build(*args: Any, **kwargs: Any) -> Tailer:
        tailer = Tailer(*args, **kwargs)
        made.append(tailer)
        return tailer

    yield build
    for tailer in made:
        tailer.close()


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def texts(tailer: Tailer) -> list[str]:
    return [r.text for r in tailer.poll()]


def test_starts_at_the_end_and_returns_only_complete_lines(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    log.write_text("old 1\nold 2\n")
    tailer = make(log)
    assert texts(tailer) == []
    append(log, "new 3\nhalf")
    records = tailer.poll()
    assert [(r.line, r.text) for r in records] == [(3, "new 3")]
    append(log, " a line\n")
    assert texts(tailer) == ["half a line"]
    assert texts(tailer) == []


def test_from_start_reads_everything(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    log.write_text("a\nb\n")
    assert texts(make(log, from_start=True)) == ["a", "b"]


def test_waits_for_a_file_that_does_not_exist_yet(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    tailer = make(log)
    assert texts(tailer) == []
    log.write_text("first\n")
    assert texts(tailer) == ["first"]


def test_rename_rotation_finishes_the_old_file_then_reads_the_new_one(
    tmp_path: Path, make: Make
) -> None:
    log = tmp_path / "queue_log"
    log.write_text("")
    tailer = make(log)
    append(log, "1\n2\n")
    assert texts(tailer) == ["1", "2"]
    append(log, "3\n")  # written just before the rotation, not read yet
    log.rename(tmp_path / "queue_log.1")
    assert texts(tailer) == ["3"]  # the new file does not exist yet
    log.write_text("4\n")
    assert texts(tailer) == ["4"]
    assert tailer.rotations == 1
    append(log, "5\n")
    assert [(r.line, r.text) for r in tailer.poll()] == [(2, "5")]


def test_copy_truncate_starts_the_file_again(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    log.write_text("")
    tailer = make(log)
    append(log, "1\n2\n")
    assert texts(tailer) == ["1", "2"]
    log.write_text("")  # logrotate copytruncate
    append(log, "3\n")
    assert texts(tailer) == ["3"]


def test_a_saved_position_resumes_after_a_restart(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1\n2\n")
    first = make(log, from_start=True)
    assert texts(first) == ["1", "2"]
    position = first.position()
    first.close()
    append(log, "3\n4\n")
    again = make(log, position)
    assert [(r.line, r.text) for r in again.poll()] == [(3, "3"), (4, "4")]


def test_a_rotation_while_stopped_reads_the_rest_of_the_rotated_file_first(
    tmp_path: Path, make: Make
) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1\n2\n")
    first = make(log, from_start=True)
    assert texts(first) == ["1", "2"]
    position = first.position()
    first.close()
    append(log, "3\n")  # written while the follower was down ...
    log.rename(tmp_path / "queue_log.1")  # ... then rotated
    log.write_text("4\n")
    again = make(log, position)
    assert texts(again) == ["3", "4"]
    assert texts(again) == []
    append(log, "5\n")
    assert texts(again) == ["5"]
    # A second restart while still on the new file: nothing twice, nothing lost.
    position = again.position()
    again.close()
    append(log, "6\n")
    assert texts(make(log, position)) == ["6"]


def test_a_copied_rotated_file_is_found_by_its_first_bytes(tmp_path: Path, make: Make) -> None:
    log = tmp_path / "queue_log"
    log.write_text("1\n2\n")
    first = make(log, from_start=True)
    assert texts(first) == ["1", "2"]
    position = first.position()
    first.close()
    (tmp_path / "queue_log.1").write_text("1\n2\n3\n")  # a copy: another inode, same start
    log.write_text("4\n")
    assert texts(make(log, position)) == ["3", "4"]
