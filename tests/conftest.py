"""Test configuration shared by tests/core and tests/gui.

Qt runs offscreen; tests/core never imports Qt (asserted in tests/core/test_architecture.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
