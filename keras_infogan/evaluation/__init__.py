"""Evaluation of trained InfoGANs: clustering metrics and scoring of the categorical code."""
