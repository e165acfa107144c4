"""Batch runs: many uploads to reports, an overview and progress, locally or on Dask."""
