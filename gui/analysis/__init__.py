"""Analysis panels: what a network learned and how its gradients behave, beyond one step.

* :mod:`.state_space`: the hidden states in principal-component space, with a dendrogram of the
  mean state per input symbol (Elman 1990).
* :mod:`.gradient_flow`: how far back each loss term reaches, with the Jacobians' spectral radii.
* :mod:`.gradient_check`: every parameter's BPTT gradient against finite differences.
* :mod:`.rtrl_compare`: RTRL's gradient accumulated forward beside BPTT's backward, with the
  work and memory each counts (Williams & Zipser 1989).

Each panel is built as ``Panel(session, parent=None)`` and offers ``displayed()``, like the cursor
panels of :mod:`gui.panels`. Their work grows with T, H and the data set, so it runs off the GUI
thread, only while the panel can be seen:

* :mod:`.jobs`: ``AnalysisJob``, a core generator driven in a worker thread, latest request wins.
* :mod:`.job_panel`: ``JobPanel``, a panel whose rebuild starts its job once seen, and ``JobBar``,
  its progress bar and Cancel button.
* :mod:`.check_entries`: the gradient check's per-entry table, formatted only where drawn.
"""
