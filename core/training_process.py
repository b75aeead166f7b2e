"""Training in a child process: :func:`core.training.train` run by :class:`core.child.ChildRun`
(why a process: see ``core/child.py``), its records and progress reports read back here."""

from __future__ import annotations

from core.child import ChildRun
from core.data import Dataset
from core.model import SRN
from core.tdl import TDL
from core.training import TrainConfig, train


class TrainingProcess(ChildRun):
    """``train(net, dataset, config, progress_every=...)`` in a child process: :meth:`items`
    yields the same :class:`~core.training.EpochRecord` and :class:`~core.training.Progress`
    values, bit for bit. The arguments are checked here, now (``ValueError``, as ``train``
    raises them), before any child is involved."""

    def __init__(
        self,
        net: SRN | TDL,
        dataset: Dataset,
        config: TrainConfig | None = None,
        *,
        progress_every: float | None = None,
    ) -> None:
        train(net, dataset, config, progress_every=progress_every)  # raises now if it would
        super().__init__(
            train, net, dataset, config, progress_every=progress_every, what="training"
        )
