"""Training in the window: the run behind the GUI.

* :mod:`.worker`: ``GeneratorWorker``, a plain generator driven in its own QThread.
* :mod:`.controller`: ``TrainingController``, one run of ``core.training.train`` at a bounded
  rate: start, pause, resume, stop, reset, replay of its snapshots.

The package imports none of its modules itself, so the worker can be used on its own.
"""
