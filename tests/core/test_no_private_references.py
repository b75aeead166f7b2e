"""Unfold cites what a reader can find: published works and its own Help > Equations page.

The study notes Unfold was first written from are not part of it, so no file may name them by
path or number. Citations are "Eq. N" of ``core.derivation`` and the published source
(Goodfellow et al. 2016 §10.2.2, Bodén 2001 section 3, Skansi 2018 eq. 7.14, ...).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: a path into the notes, or one of them by number ("seeds/004", "seed004", "seed 001", ...)
PRIVATE = re.compile(r"seeds/|seed004|seeds?\s*/?\s*00[0-4]", re.IGNORECASE)
#: this file spells the pattern out and so is the one file not scanned
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()
#: text that must keep an old name, per file: model files saved before the task was renamed
ALLOWED = {"core/modelio.py": ('MappingProxyType({"seed004": "two-back"})',)}
SKIP_DIRS = {".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"}
SKIP_DIR_PREFIXES = (".venv", "venv", "env", "build", "dist")


def repository_files() -> list[str]:
    """Relative '/'-separated paths of the tracked and not-ignored files (else a directory walk)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return sorted(_walk())
    return sorted({p for p in out.decode("utf-8").split("\0") if p})


def _walk() -> Iterator[str]:
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not d.startswith(SKIP_DIR_PREFIXES)
            and not d.endswith(".egg-info")
        ]
        for name in files:
            yield (Path(directory) / name).relative_to(ROOT).as_posix()


def text_of(path: str) -> str | None:
    """The file's text, or None for a binary, unreadable or (deleted but still tracked) file."""
    try:
        data = (ROOT / path).read_bytes()
    except OSError:
        return None
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def private_references(paths: list[str]) -> list[str]:
    """``path:line: text`` of every line naming the notes, outside ``ALLOWED``."""
    found = []
    for path in paths:
        text = text_of(path)
        if text is None or path == THIS_FILE:
            continue
        for allowed in ALLOWED.get(path, ()):
            text = text.replace(allowed, "")
        for match in PRIVATE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path}:{line}: {text.splitlines()[line - 1].strip()}")
    return found


def matches(path: str, pattern: str) -> bool:
    """Whether the whole relative ``path`` fits ``pattern``, ``*`` staying within one folder."""
    parts, wanted = path.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(map(fnmatchcase, parts, wanted))


def test_the_pattern_catches_every_spelling() -> None:
    hits = ["seeds/004 eq. 45", "Seed004", "seed 001", "seeds 003", "seed/002", "(seeds/000)"]
    misses = ["data seed 0", "seed=4", "random seeds 1, 2", "seeded 0004", "seeding"]
    assert all(PRIVATE.search(text) for text in hits)
    assert not any(PRIVATE.search(text) for text in misses)


def test_allowed_text_is_still_there() -> None:
    """An allowance the file no longer needs is removed, not left to cover a new reference."""
    for path, texts in ALLOWED.items():
        assert all(t in (ROOT / path).read_text(encoding="utf-8") for t in texts), path


def test_no_file_names_the_private_notes() -> None:
    files = repository_files()
    assert {"core/model.py", "gui/main_window.py", "README.md"} <= set(files)
    assert private_references(files) == []
