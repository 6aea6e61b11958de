"""Reasoning: OWL 2 RL closure with owlrl, and the compiled chainer for registry-scale instance data."""
