"""Pose Method checkpoints: rubric, measures, scores with uncertainty, feedback.

The rubric is data (``rubric.toml``); per-stride measures come from a gait
analysis; scores carry an uncertainty; feedback names the next step and the
drills that train it.
"""
