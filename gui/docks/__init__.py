"""The docks that configure what the explorer shows, and the registry of every dock.

* :mod:`.task`: ``TaskPanel``, the Task and data dock.
* :mod:`.network`: ``NetworkPanel``, the Network dock.
* :mod:`.registry`: ``DockId`` and ``DockSpec``, the table of contents the main window builds its
  docks from (title, panel, area, whether the panel takes the training controller).

The task and network docks are built as ``Panel(session, controller=None)`` and disabled while
training runs. The Training dock lives with the run it drives, in :mod:`gui.training`; the cursor
panels in :mod:`gui.panels` and the analysis panels in :mod:`gui.analysis`.
"""
