# Two commands on a fresh machine with Python 3.11+, git and make:
#   make run    set up .venv and show the demo vault's due list and daily note
#   make test   set up .venv (with pytest, hypothesis, pre-commit) and run lint + tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
DEMO_DATE := 2026-11-25

.PHONY: run test test-fast test-explore lint bench bench-index bench-history bench-watch bench-network bench-interop bench-instructions bench-vdir bench-linkedin bench-calendar bench-git clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $(STAMP)

# The benchmarks' extra (python-frontmatter, the naive baseline); run and test need not wait for it.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $(BENCH_STAMP)

run: $(STAMP)
	MDNET_TODAY=$(DEMO_DATE) $(BIN)/mdnet --vault examples/vault due
	@echo
	MDNET_TODAY=$(DEMO_DATE) $(BIN)/mdnet --vault examples/vault daily --print

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# The property tests with new random examples, ten times as many (make test repeats the same ones).
test-explore: $(STAMP)
	MDNET_HYPOTHESIS=explore $(BIN)/python -m pytest -q -m hypothesis

lint: $(STAMP)
	$(BIN)/ruff check mdnet tests benchmarks
	$(BIN)/ruff format --check mdnet tests benchmarks
	$(BIN)/mypy

# Every benchmark in one run (figures and PASS/MISS against the targets; never fails).
# bench-index prints issue 17's targets, each with its ratio to the naive read measured in the same run.
# An installed package runs from compiled bytecode, so the benchmarks do too, even where
# the shell sets PYTHONDONTWRITEBYTECODE (every new process would recompile mdnet).
BENCH := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python
bench: bench-index bench-instructions bench-history bench-watch bench-network bench-interop bench-vdir bench-linkedin bench-calendar bench-git

bench-index: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench.py

bench-history: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_history.py

bench-network: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_network.py

bench-vdir: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_vdir.py

bench-interop: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_interop.py

bench-linkedin: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_linkedin.py

bench-calendar: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_calendar.py

# Instruction counts (valgrind), steady where wall-clock figures move with the machine's load,
# and the cold index's profile stage by stage (issue 17).
bench-instructions: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_instructions.py --stages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache examples/vault/.mdnet

bench-watch: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_watch.py

# Commits under load (issue 19): logs per second with 1 and 4 writers, save -> commit under autocommit.
bench-git: $(BENCH_STAMP)
	$(BENCH) benchmarks/bench_git.py
