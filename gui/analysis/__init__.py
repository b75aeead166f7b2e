"""Analysis panels: what a network learned and how its gradients behave, beyond one step.

* :mod:`.state_space`: the hidden states in principal-component space, with a dendrogram of the
  mean state per input symbol (Elman 1990).
* :mod:`.gradient_flow`: how far back each loss term reaches, with the Jacobians' spectral radii.
* :mod:`.gradient_check`: every parameter's BPTT gradient against finite differences.

Each panel is built as ``Panel(session, parent=None)`` and offers ``displayed()``, like the cursor
panels of :mod:`gui.panels`.
"""
