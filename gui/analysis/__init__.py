"""Views of what a trained network represents: its hidden state space and the clusters in it."""
