"""Unfold's Qt interface: the session, the views and the main window.

One kind of thing per folder: :mod:`gui.docks`, :mod:`gui.graph_views`, :mod:`gui.panels`,
:mod:`gui.analysis`, :mod:`gui.training` and :mod:`gui.widgets`; the session, the window and its
small helpers (time bar, files, errors, dock tabs) are top-level modules.
"""
