"""Unfold's core: a pure-numpy Simple Recurrent Network and its BPTT engine (no Qt here)."""

from __future__ import annotations

from core.bptt import Trace, bptt
from core.cursor import Cursor, StepState
from core.data import Dataset, DatasetError, Sequence
from core.model import SRN

__all__ = ["SRN", "Cursor", "Dataset", "DatasetError", "Sequence", "StepState", "Trace", "bptt"]
