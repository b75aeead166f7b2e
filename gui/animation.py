"""File > Export > Animation: the forward and the backward sweep of one view as an animated GIF.

Frames are pictures of the view as the window draws it, so they are taken on the GUI thread -
one cursor position per timer tick: the cursor moves, the view redraws, the next tick grabs it -
and the window stays responsive between ticks (a playback-style main-thread QTimer, as the
STYLE guide asks for timed GUI work). The frames then go to a worker thread
(:class:`~gui.analysis.jobs.AnalysisJob`), which reduces each to a palette of
``GIF_COLOURS`` colours and encodes it with Pillow, one frame per step, in memory. Only then is
the file written, atomically (``core.modelio.atomic_write_bytes``): a cancelled or failed export
leaves the file as it was. Cancel stops the frames at the next tick and the encoding after the
frame in progress (some 30 ms); the cursor goes back to where it was.

There is one frame per cursor position, 2T + 1 for T steps: the start, the forward sweep
t = 1..T, then the backward sweep t = T..1. Longer sweeps than ``MAX_FRAMES`` positions are
refused (a lecture's animation, not a film). MP4 is not offered: it needs an ffmpeg binary,
which Unfold does not assume.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from core.modelio import FileWriteError, atomic_write_bytes
from gui.analysis.jobs import AnalysisJob
from gui.export_views import picture
from gui.session import Session

#: the most frames (cursor positions) an animation has: T = 100 steps
MAX_FRAMES: Final = 201
#: how long each frame is shown (ms)
FRAME_MS: Final = 600
#: colours per frame (the graph views use a few dozen)
GIF_COLOURS: Final = 128
#: ms between two timer ticks (a frame takes two: move the cursor, then grab)
TICK_MS: Final = 10

#: one grabbed frame: RGBA bytes, width, height
Frame = tuple[bytes, int, int]


def gif_steps(frames: Sequence[Frame], duration_ms: int = FRAME_MS) -> Iterator[tuple[str, Any]]:
    """Encode ``frames`` as a looping GIF, one frame per step: yields ("frame", i) once frame i
    (1-based) is reduced to its own palette of ``GIF_COLOURS`` and encoded, then ("gif", bytes).

    Frames are written one at a time with Pillow's GIF writer for single frames
    (``GifImagePlugin.getheader`` and ``getdata``), each with its local colour table, so that
    the work between two yields - where the worker checks for Cancel - is one frame. Runs in a
    worker; no Qt here.
    """
    from PIL import GifImagePlugin, Image  # the optional dependency, loaded when needed

    parts: list[bytes] = []
    previous: np.ndarray | None = None
    for i, (data, width, height) in enumerate(frames):
        pixels = np.frombuffer(data, np.uint8).reshape(height, width, 4)[:, :, :3]
        # only the rectangle that changed since the previous frame is stored (drawn over it)
        x0, y0, x1, y1 = _changed(previous, pixels)
        previous = pixels
        rgb = Image.fromarray(np.ascontiguousarray(pixels[y0:y1, x0:x1]))
        frame = rgb.quantize(
            GIF_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        if i == 0:  # the file's header: screen size, first palette, loop for ever
            header, _used = GifImagePlugin.getheader(frame.copy(), info={"loop": 0})
            parts += header
        parts += GifImagePlugin.getdata(
            frame, offset=(x0, y0), duration=duration_ms, include_color_table=True
        )
        yield "frame", i + 1
    parts.append(b";")  # the GIF trailer
    yield "gif", b"".join(parts)


def _changed(before: np.ndarray | None, after: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the smallest rectangle holding every pixel that differs (the whole
    frame for the first one, one pixel when nothing changed)."""
    height, width = after.shape[:2]
    if before is None or before.shape != after.shape:
        return 0, 0, width, height
    rows, cols = np.nonzero((before != after).any(axis=2))
    if rows.size == 0:
        return 0, 0, 1, 1
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


def grab_frame(parts: Sequence[QWidget]) -> Frame:
    """The picture of ``parts`` (stacked) as RGBA bytes."""
    image = picture(parts).toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = image.width(), image.height()
    data = bytes(image.constBits())[: width * height * 4]  # 4 bytes a pixel: no row padding
    return data, width, height


class AnimationExport(QObject):
    """Make one animation at a time.

    Signals
    -------
    progressed(int, int) : (done, total) work units: a frame grabbed, a frame encoded, the file.
    finished(str) : the file was written (its path).
    failed(str) : the file could not be made; the message names it.
    cancelled : :meth:`cancel` stopped it; the file is untouched.
    """

    progressed = Signal(int, int)
    finished = Signal(str)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._job = AnalysisJob(self, interval_ms=50)
        self._job.progressed.connect(self._on_job_progressed)
        self._job.finished.connect(self._on_job_finished)
        self._job.failed.connect(self._on_job_failed)
        self._parts: tuple[QWidget, ...] = ()
        self._path = ""
        self._positions: list[int] = []
        self._frames: list[Frame] = []
        self._next = 0
        self._moved = False
        self._home = 0
        self._gif: bytes | None = None

    @property
    def running(self) -> bool:
        return self._timer.isActive() or self._job.running

    @property
    def frames(self) -> int:
        """The frames grabbed by the last run (for tests and the progress text)."""
        return len(self._frames)

    @property
    def total(self) -> int:
        """Work units of a run: grab and encode each frame, then write the file."""
        return 2 * len(self._positions) + 1

    def start(self, parts: Sequence[QWidget], path: str) -> None:
        """Animate the cursor over every position, picturing ``parts``, into ``path``.

        Raises ValueError (nothing started) for a sweep of more than ``MAX_FRAMES`` positions.
        """
        n = self._session.n_positions
        if n > MAX_FRAMES:
            raise ValueError(
                f"the sweep has {n} positions, more than the limit of {MAX_FRAMES} frames for an "
                f"animation (T = {(MAX_FRAMES - 1) // 2} steps); choose a shorter sequence"
            )
        self.cancel()
        self._parts, self._path = tuple(parts), path
        self._positions = list(range(n))
        self._frames, self._next, self._moved, self._gif = [], 0, False, None
        self._home = self._session.position
        self._timer.start()

    def cancel(self) -> None:
        """Stop taking or encoding frames; the file is not written."""
        if not self.running:
            return
        self._timer.stop()
        self._job.cancel()
        self._session.seek(self._home)
        self.cancelled.emit()

    def shutdown(self) -> None:
        """Stop and wait for the encoding thread (the window is closing)."""
        self._timer.stop()
        self._job.shutdown()

    # -- frames, on the GUI thread ----------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        if not self._moved:  # this tick moves the cursor, the next one grabs the redrawn view
            self._session.seek(self._positions[self._next])
            self._moved = True
            return
        self._frames.append(grab_frame(self._parts))
        self._moved = False
        self._next += 1
        self.progressed.emit(self._next, self.total)
        if self._next == len(self._positions):
            self._timer.stop()
            self._session.seek(self._home)
            frames = list(self._frames)
            self._job.start(lambda: gif_steps(frames))

    # -- encoding, in the worker ------------------------------------------------------------------
    def _on_job_progressed(self, items: list[tuple[str, Any]]) -> None:
        for kind, value in items:
            if kind == "frame":
                self.progressed.emit(len(self._positions) + value, self.total)
            else:
                self._gif = value

    def _on_job_finished(self) -> None:
        if self._gif is None:
            self.failed.emit(f"{self._path}: the animation could not be encoded")
            return
        try:
            atomic_write_bytes(self._path, self._gif)
        except FileWriteError as exc:
            self.failed.emit(f"{exc.path}: {exc}")
            return
        self.progressed.emit(self.total, self.total)
        self.finished.emit(self._path)

    def _on_job_failed(self, exc: BaseException) -> None:
        self.failed.emit(f"{self._path}: the animation could not be encoded: {exc}")
