"""Training in the window: the run behind the GUI and the dock that drives and watches it.

* :mod:`.worker`: ``GeneratorWorker``, a plain generator driven in its own QThread.
* :mod:`.controller`: ``TrainingController``, one run of ``core.training.train`` at a bounded
  rate: start, pause, resume, stop, reset, replay of its snapshots.
* :mod:`.plots`: ``TrainingPlots``, loss, gradient norm and score per epoch.
* :mod:`.panel`: ``TrainingPanel``, the Training dock: settings, controls, progress, plots and
  the replay slider.

The package imports none of its modules itself, so the worker can be used without the plots.
"""
