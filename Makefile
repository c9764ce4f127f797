# The two commands a newcomer needs (see README): `make run` and `make test`.
.PHONY: run test test-fast lint bench screenshots sync

sync:
	@scripts/bootstrap

run: sync
	@.venv/bin/renkei run

test: sync lint
	@scripts/ensure-postgres
	@.venv/bin/pytest -n auto --dist loadgroup --durations=12

# While iterating: skip the slow integration tests (never used by CI).
test-fast: sync
	@.venv/bin/pytest -n auto --dist loadgroup -m "not slow"

lint: sync
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports

bench: sync
	@.venv/bin/python benchmarks/run_all.py

# Photograph a sample report in headless Chromium (docs/images/), to check by eye.
screenshots: sync
	@.venv/bin/python scripts/screenshot_reports.py
