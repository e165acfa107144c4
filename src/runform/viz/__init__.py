"""Pure drawing: overlays on frames, plots and contact sheets (no file I/O)."""
