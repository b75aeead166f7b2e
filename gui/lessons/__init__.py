"""Guided lessons in the window: the player that moves the session step by step, the Lesson
dock, and the Lessons menu with its keys."""
