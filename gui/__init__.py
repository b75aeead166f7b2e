"""Unfold's Qt interface: the session, the views and the main window."""
