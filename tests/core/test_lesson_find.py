"""A lesson named on the command line: a file, or a shipped lesson by name or number; a step
may raise a dock by its registry name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.lessons import DOCK_NAMES, LessonError, find_lesson, load_lesson, shipped_lessons


@pytest.mark.parametrize(
    "name",
    ["05_vanishing_delayed_recall", "05_vanishing_delayed_recall.json",
     "vanishing_delayed_recall", "VANISHING_delayed_recall", "5", "05"],
)  # fmt: skip
def test_a_shipped_lesson_is_found_by_name_or_number(name: str) -> None:
    assert find_lesson(name).name == "05_vanishing_delayed_recall.json"


def test_an_existing_file_is_itself(tmp_path: Path) -> None:
    path = tmp_path / "1"  # a file wins over the shipped lesson of that number
    path.write_text("{}", encoding="utf-8")
    assert find_lesson(str(path)) == path


def test_an_unknown_name_lists_the_shipped_lessons(tmp_path: Path) -> None:
    with pytest.raises(LessonError) as info:
        find_lesson("no_such_lesson")
    assert str(info.value).startswith("no_such_lesson: is neither a lesson file")
    assert all(p.stem in str(info.value) for p in shipped_lessons())
    with pytest.raises(LessonError, match="is not a file"):
        find_lesson(str(tmp_path))
    with pytest.raises(LessonError, match="neither"):
        find_lesson("99")


def test_the_vanishing_gradients_lesson_raises_the_gradient_flow_dock() -> None:
    lesson = load_lesson(find_lesson("vanishing_delayed_recall"))
    shown = [(i + 1, s.show) for i, s in enumerate(lesson.steps) if s.show is not None]
    assert shown == [(2, "flow")]
    assert "flow" in DOCK_NAMES


def test_show_takes_each_dock_name(tmp_path: Path) -> None:
    steps = [{"text": name, "show": name} for name in DOCK_NAMES]
    data = {"format": "unfold-lesson", "version": 1, "title": "Docks", "notation": "boden",
            "network": {"kind": "example"}, "data": {"kind": "example"},
            "steps": steps}  # fmt: skip
    path = tmp_path / "docks.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert [s.show for s in load_lesson(path).steps] == list(DOCK_NAMES)
