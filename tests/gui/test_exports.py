"""File > Export for lectures and PyTorch: each action writes what the session shows, and a
failure names the chosen file and leaves the disk as it was."""

from __future__ import annotations

import io
import os
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from core.explain import fmt
from core.model import SRN
from core.selection import Selection
from gui import encoding
from gui.export_views import picture_size
from gui.main_window import MainWindow
from gui.session import NetworkOrigin


@pytest.fixture
def window(qtbot, settings: QSettings, monkeypatch) -> MainWindow:
    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    w.errors = []
    monkeypatch.setattr(w.files, "show_error", lambda title, text: w.errors.append(text))
    monkeypatch.setattr(w.files, "ask", lambda title, text: True)
    return w


def test_export_menu_has_shortcuts_and_tips(window: MainWindow) -> None:
    assert window.exports.menu in [a.menu() for a in window.file_menu.actions()]
    for action in window.exports.actions.values():
        assert not action.shortcut().isEmpty() and action.toolTip()


def test_pytorch_export_writes_the_shown_network_and_sequence(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "rnn.npz"
    assert window.exports.export_torch(str(path))
    with np.load(path, allow_pickle=False) as data:
        np.testing.assert_array_equal(data["rnn.weight_hh_l0"], window.session.net.W)
        np.testing.assert_array_equal(data["x"][0], window.session.trace.x)
    assert (tmp_path / "rnn.py").is_file() and window.errors == []


def test_pytorch_export_of_a_jordan_network_names_the_file_and_the_reason(
    window: MainWindow, tmp_path: Path
) -> None:
    net = window.session.net
    jordan = SRN.init(net.n_in, net.n_hidden, net.n_out, context="output")
    window.session.set_network(jordan, origin=NetworkOrigin.USER)
    path = tmp_path / "rnn.npz"
    assert not window.exports.export_torch(str(path))
    assert len(window.errors) == 1
    assert str(path) in window.errors[0] and "Jordan network" in window.errors[0]
    assert list(tmp_path.iterdir()) == []


SVG = "{http://www.w3.org/2000/svg}"


def test_unfolded_svg_has_the_cursors_values_in_the_windows_colours(
    window: MainWindow, tmp_path: Path
) -> None:
    session = window.session
    session.seek(session.trace.T + 1)  # backward sweep, last step
    path = tmp_path / "unfolded.svg"
    assert window.exports.export_graph("unfolded", str(path))
    root = ET.parse(path).getroot()
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    trace, T = session.trace, session.trace.T
    enc = encoding.for_trace(trace)
    for group in groups:
        texts = {t.get("class"): t.text for t in group.iter(f"{SVG}text")}
        if texts["symbol"] == f"h2({T})":  # hidden unit 2 at the last step
            value = float(trace.h[T, 1])
            assert texts["value"] == fmt(value)
            assert texts["delta"] == f"δh = {fmt(float(trace.delta_h[T - 1, 1]))}"
            r, g, b, _ = enc.hidden.colour(value)
            assert group.find(f"{SVG}circle").get("fill") == f"#{r:02x}{g:02x}{b:02x}"
            break
    else:
        raise AssertionError("no node h2(T) in the drawing")
    assert len(groups) == T * (4 + 5 + 3 + 1) + 5


def test_folded_tikz_and_worked_example_follow_notation_and_selection(
    window: MainWindow, tmp_path: Path
) -> None:
    session = window.session
    session.seek(2)
    session.set_notation("boden")
    tikz = tmp_path / "folded.tex"
    assert window.exports.export_graph("folded", str(tikz))
    text = tikz.read_text(encoding="utf-8")
    assert r"\documentclass[tikz,border=6pt]{standalone}" in text
    assert r"{$\mathit{yj}_{1}(2)$}" in text  # Bodén's symbol for the hidden units
    assert f"{{${fmt(float(session.trace.h[2, 0]))}$}}" in text
    session.select(Selection("node", "y", t=2, unit=1))
    latex = tmp_path / "example.tex"
    assert window.exports.export_worked_example(str(latex))
    block = latex.read_text(encoding="utf-8")
    assert r"\mathit{yk}_{2}(2) &= " in block  # Bodén's output symbol
    assert f"= {fmt(float(session.trace.y[1, 1]))}" in block


def test_graph_export_errors_name_the_file_and_write_nothing(
    window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "graph.png"
    assert not window.exports.export_graph("unfolded", str(bad))
    assert window.errors == [f"{bad}: use a .svg or a .tex file name"]
    kept = tmp_path / "kept.svg"
    kept.write_text("old", encoding="utf-8")
    os.chmod(kept, 0o444)
    assert not window.exports.export_graph("folded", str(kept))
    assert str(kept) in window.errors[-1] and "read-only" in window.errors[-1]
    assert kept.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.svg"]


# -- the animation ------------------------------------------------------------------------------
@pytest.fixture
def shown_window(window: MainWindow, qtbot) -> MainWindow:
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_animation_has_one_frame_per_cursor_position(
    qtbot, shown_window: MainWindow, tmp_path: Path
) -> None:
    from PIL import Image

    window, session = shown_window, shown_window.session
    session.seek(4)
    path = tmp_path / "sweep.gif"
    animation = window.exports.animation
    with qtbot.waitSignal(animation.finished, timeout=60_000) as done:
        assert window.exports.export_animation(str(path), view="Unfolded graph")
        assert window.exports.progress is not None and window.exports.progress.isVisible()
    assert done.args == [str(path)]
    assert animation.frames == session.n_positions == 13
    with Image.open(path) as gif:
        assert gif.n_frames == 13 and gif.info["loop"] == 0
        first = gif.convert("RGB").size
    assert first == picture_size(window.unfolded.picture()).toTuple()  # plot and legend
    assert session.position == 4  # the cursor is back where it was
    assert window.exports.progress is None and window.errors == []


def test_cancelled_animation_leaves_the_file_untouched(
    qtbot, shown_window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    import gui.animation

    # the encoder holds before its last step until the test has pressed Cancel
    release = threading.Event()
    real = gui.animation.gif_steps

    def held(frames, *args):
        for item in real(frames, *args):
            if item[0] == "gif":
                release.wait(10)
            yield item

    monkeypatch.setattr(gui.animation, "gif_steps", held)
    window = shown_window
    animation = window.exports.animation
    path = tmp_path / "sweep.gif"
    path.write_bytes(b"old picture")
    for stage in (3, 2 * 13):  # while taking frames, then while encoding them
        release.clear()
        assert window.exports.export_animation(str(path), view="Folded graph")
        progress = window.exports.progress
        qtbot.waitUntil(lambda s=stage, p=progress: p.value() >= s, timeout=60_000)
        with qtbot.waitSignal(animation.cancelled):
            qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
        release.set()
        assert not animation.running and window.exports.progress is None
        assert window.session.position == 0
        assert path.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.glob("*.gif*")] == ["sweep.gif"]  # no temporary file


def test_animation_refuses_a_long_sweep_and_a_wrong_name(
    shown_window: MainWindow, tmp_path: Path
) -> None:
    window = shown_window
    assert not window.exports.export_animation(str(tmp_path / "a.mp4"), view="Unfolded graph")
    assert window.errors[-1] == f"{tmp_path / 'a.mp4'}: use a .gif file name"
    long = example_dataset_of_length(120)
    window.session.set_dataset(long)
    assert not window.exports.export_animation(str(tmp_path / "a.gif"), view="Unfolded graph")
    assert "241 positions, more than the limit of 201 frames" in window.errors[-1]
    assert not window.exports.animation.running and not (tmp_path / "a.gif").exists()


def example_dataset_of_length(T: int):
    from core.data import Dataset, Sequence

    rng = np.random.default_rng(0)
    x = np.eye(4)[rng.integers(0, 4, T)]
    d = np.eye(3)[rng.integers(0, 3, T)]
    return Dataset("long", (Sequence(x, d),), ("a", "b", "c", "e"), ("p", "q", "r"), "softmax")


def test_gif_frames_decode_to_the_pictures_taken() -> None:
    from PIL import Image

    from gui.animation import gif_steps

    rng = np.random.default_rng(2)
    colours = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    pictures = []
    for k in range(5):  # a few colours, a moving block: each frame stores a changed rectangle
        rgb = np.broadcast_to(colours[0], (40, 70, 3)).copy()
        rgb[5:20, 10 * k : 10 * k + 15] = colours[1 + k]
        if k == 3:
            rgb = pictures[-1].copy()  # nothing changed: a one-pixel frame
        pictures.append(rgb)
    frames = [
        (np.dstack([p, np.full((40, 70), 255, np.uint8)]).tobytes(), 70, 40) for p in pictures
    ]
    items = list(gif_steps(frames, 250))
    assert [i for kind, i in items[:-1]] == [1, 2, 3, 4, 5] and items[-1][0] == "gif"
    with Image.open(io.BytesIO(items[-1][1])) as gif:
        assert gif.n_frames == 5
        for k, expected in enumerate(pictures):
            gif.seek(k)
            assert gif.info["duration"] == 250
            np.testing.assert_array_equal(np.asarray(gif.convert("RGB")), expected)
