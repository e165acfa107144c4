"""Measuring runform against references: hand-labelled real clips and exact synthetic truth."""
