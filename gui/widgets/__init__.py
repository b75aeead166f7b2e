"""Drawing widgets shared by the cursor panels, the analysis panels, the graph views and the window.

A widget here knows nothing of the session, the trace or the cursor's meaning: the panel or view
that owns it computes what to show (from the session and ``core``) and hands it arrays and
numbers. What the widgets offer is small and alike:

* **values in**: ``set_values(values)`` (``Heatmap``, ``HintonItem``; the painted grids take a key
  too, ``TimeGrid.set_values(key, values)`` and ``MatrixGrid.set_values(key, k, values)``;
  ``TimeGrid.set_known(key, array, lo, hi)`` keeps a trace's array and shows rows lo..hi-1);
  ``set_heights(heights)`` then ``show_steps(first, last)`` on ``StepBars``, ``set_blocks(blocks)``
  on ``StyledText``, ``setText(text)`` on ``TextLine``, ``set_matrix(...)`` on the table model
  ``MatrixModel``. The painted widgets repaint nothing for values equal to those drawn (the table
  model reports its cells changed all the same).
* **colour and size**: a :class:`gui.encoding.Encoding`, fixed per trace - ``set_bar(index,
  enc)`` (``TimeGrid``), ``set_encoding(key, k, enc)`` (``MatrixGrid``), ``set_encoding(enc)``
  (``Heatmap``, ``HintonItem``, ``HintonKey``, ``ColorScale``). Every value colour, colour bar
  and Hinton size comes from :mod:`gui.encoding`, so a value looks the same in every view;
  :mod:`.colormaps` only turns its tables into pixels and brushes.
* **cursor**: ``set_cursor(t)`` (``TimeGrid``) or ``set_cursor(x)`` (``Heatmap``) outlines the
  cursor's step, None hides it; ``cursor_x()`` reads it back.
* **what is drawn**: ``shown()`` (``TimeGrid.shown(key)``) returns a copy of the array currently
  drawn, so tests can check the numbers on screen (for a long time axis, those of the window of
  steps shown, ``TimeGrid.steps_shown()``).
* **pointing**: ``cell_at(pos)`` gives the cell under a position (None outside the cells) and
  ``pos_of(...)`` / ``scene_pos_of(...)`` the position of a cell. The painted grids
  (:class:`~gui.widgets.cell_widget.CellWidget` subclasses) emit ``cellHovered(cell or None)``
  and ``cellClicked(cell)``; a pyqtgraph item leaves the mouse to the scene of its canvas, whose
  owner asks ``cell_at``.

Modules:

* :mod:`.colormaps`: :mod:`gui.encoding`'s colour tables as ARGB32 pixels, QColors and QBrushes.
* :mod:`.canvas`: the white pyqtgraph canvas, the hover line under it, one-rectangle repaints.
* :mod:`.plots`: ``LitePlot`` (a light plot frame) and ``ColorScale`` (a colour bar).
* :mod:`.heatmap`: ``Heatmap``, an array of cells in a ``LitePlot``, with tick helpers.
* :mod:`.cell_widget`: the base of the widgets painted with ``QPainter`` (cells under the mouse).
* :mod:`.time_grid`: ``TimeGrid``, heatmaps of units over time on one time axis.
* :mod:`.time_window`: which steps a view of a long sequence shows (``MAX_STEPS`` around the
  cursor).
* :mod:`.matrix_grid`: ``MatrixGrid``, a grid of small matrices (heatmap or Hinton mode).
* :mod:`.hinton`: Hinton diagrams, ``HintonItem`` and its key.
* :mod:`.bars`: ``StepBars``, one bar per time step of which the cursor shows a range.
* :mod:`.styled_text`: ``StyledText``, read-only styled text blocks (the inspector's equations).
* :mod:`.text_line`: ``TextLine``, one line of text that changes without a relayout.
* :mod:`.table`: ``MatrixModel``, one matrix of numbers as a Qt table model.

Beside them, :mod:`.forms` holds what the settings forms of the docks share (a Yes/No question,
the red hint label, messages worded as sentences); it draws nothing itself.
"""
