"""Running with nobody at the screen: ``--screenshot`` and any other non-interactive run.

A modal message box waits for a click that never comes, so such a run opens none. An
:class:`Unattended` reporter stands in for the dialogs of :class:`~gui.files.FileActions` and
of :func:`gui.errors.install_excepthook`: an error is written to standard error (naming the file
and the problem, as the dialog would), a question takes its safe answer, No, and says so, and
every such event is remembered in ``problems`` so that the run can end with a non-zero status.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Unattended:
    """Errors to a stream and No to every question, for a run that nobody watches.

    Parameters
    ----------
    stream : where messages go (standard error when None, looked up at each message).
    prog : the program name that starts each line.

    Attributes
    ----------
    problems : every message written, in order; a run with problems failed.
    """

    def __init__(self, stream: TextIO | None = None, prog: str = "unfold") -> None:
        self._stream, self._prog = stream, prog
        self.problems: list[str] = []

    def _write(self, text: str) -> None:
        self.problems.append(text)
        stream = self._stream if self._stream is not None else sys.stderr
        print(f"{self._prog}: {text}", file=stream, flush=True)

    def error(self, title: str, text: str) -> None:
        """What a warning dialog would say: ``unfold: Cannot open the model: FILE, line N: ...``."""
        self._write(f"{title}: {text}")

    def ask(self, title: str, text: str) -> bool:
        """No, the safe answer, to a Yes/No question, saying what was not asked."""
        self._write(f"{title} {text} - not asked in a non-interactive run; the answer is No")
        return False
