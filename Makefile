# runform: the two entry points a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE ?= sample_videos/pose_runner.mp4

.PHONY: install model demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Download the pose model, or build it offline from the mediapipe 0.10.21 wheel.
model: install
	$(BIN)/runform models fetch

demo: model
	$(BIN)/runform demo -o demo_output

test: model
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: model
	$(BIN)/python benchmarks/bench_pose_extraction.py

clean:
	rm -rf demo_output .pytest_cache .mypy_cache .ruff_cache
