"""The docks that configure what the explorer shows: the task and its data, and the network.

* :mod:`.task`: ``TaskPanel``, the Task and data dock.
* :mod:`.network`: ``NetworkPanel``, the Network dock.

Each is built as ``Panel(session, controller=None)`` and disabled while training runs. The
Training dock lives with the run it drives, in :mod:`gui.training`; the cursor panels in
:mod:`gui.panels` and the analysis panels in :mod:`gui.analysis`.
"""
