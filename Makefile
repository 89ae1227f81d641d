# omni-image-kit build. Every target installs what it needs when .venv (or node_modules) is missing.
# The README's two commands: `make conformance` (the main job) and `make test` (everything CI runs).

SHELL := /bin/bash
PYTHON ?= python3
# The interpreter that builds .venv, looked up before .venv/bin joins PATH (the venv may be broken).
HOST_PYTHON := $(shell PATH='$(PATH)' command -v $(PYTHON))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/.bin:$(PATH)
export OMNI_KIT_ROOT := $(CURDIR)
GEN_PACKAGE := omni_image_client
GEN_DIR := generated/$(GEN_PACKAGE)
GENERATOR := $(BIN)/openapi-python-client generate --path openapi.yaml --meta none \
	--config openapi-python-client.yaml --overwrite --fail-on-warning

.PHONY: FORCE install postgres generate check-generated contract check-contract check-coverage \
	coverage-table lint lint-spec test pytest serve conformance \
	mutation bench bench-tools bench-server bench-client bench-conformance soak clean

install: $(STAMP)

# Checked before every target (FORCE): scripts/venv_state.py says ok, reinstall (no stamp, or one
# from another pyproject.toml: an install never finished) or rebuild (python or a bin/ script
# missing). The stamp is written only after a complete install, so an interrupted one is resumed.
$(STAMP): FORCE
	@state=$$($(HOST_PYTHON) scripts/venv_state.py check $(VENV)) || exit 1; \
	if [ "$$state" = ok ]; then exit 0; fi; \
	rm -f $(STAMP); \
	if [ "$$state" = rebuild ]; then rm -rf $(VENV) && $(HOST_PYTHON) -m venv $(VENV) || exit 1; fi; \
	$(BIN)/python -m pip install --quiet --upgrade pip && \
	$(BIN)/python -m pip install --quiet -e '.[dev]' && \
	$(HOST_PYTHON) scripts/venv_state.py stamp $(VENV)

FORCE:

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

generate: $(STAMP)
	$(GENERATOR) --output-path $(GEN_DIR)

check-generated: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GENERATOR) --output-path "$$tmp/$(GEN_PACKAGE)" >"$$tmp/log" 2>&1 || { cat "$$tmp/log"; exit 1; } ; \
	if diff -r --exclude=__pycache__ "$$tmp/$(GEN_PACKAGE)" $(GEN_DIR); then \
		echo "check-generated: generated/ matches openapi.yaml"; \
	else echo "check-generated: generated/ is stale; run 'make generate' and commit" >&2; exit 1; fi
	cd generated && ../$(BIN)/mypy --strict --config-file /dev/null --cache-dir /dev/null -p $(GEN_PACKAGE)

contract: $(STAMP)
	$(BIN)/python -m scripts.render_contract

check-contract: $(STAMP)
	$(BIN)/python -m scripts.render_contract --check

# docs/line-coverage.md: every documented/decided line -> the checks and sides that test it.
coverage-table: $(STAMP)
	$(BIN)/python -m conformance.coverage

check-coverage: $(STAMP)
	$(BIN)/python -m conformance.coverage --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

lint-spec: $(STAMP) node_modules/.installed
	$(BIN)/openapi-spec-validator openapi.yaml
	redocly lint --config redocly.yaml openapi.yaml

# PostgreSQL server binaries for the store tests (which start their own temporary server) and
# the PostgreSQL soak/bench runs: Debian's package, installed only when no initdb is found.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

pytest: $(STAMP) postgres
	$(BIN)/python -m pytest -n 2 -q

test: check-generated check-contract check-coverage lint lint-spec pytest

serve: $(STAMP)
	$(BIN)/omni-reference-server

conformance: $(STAMP)
	$(BIN)/python -m scripts.run_conformance

mutation: $(STAMP)
	$(BIN)/python -m scripts.run_mutation_catalogue

bench: bench-server bench-client bench-conformance

bench-tools: node_modules/.installed
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

bench-server: $(STAMP) bench-tools postgres
	$(BIN)/python -m scripts.bench_server
	$(BIN)/python -m scripts.bench_scale_out

bench-client: $(STAMP)
	$(BIN)/python -m scripts.bench_client

bench-conformance: $(STAMP)
	$(BIN)/python -m scripts.bench_conformance

soak: $(STAMP) postgres
	$(BIN)/python -m scripts.soak

clean:
	rm -rf $(VENV) node_modules .omni .pytest_cache .mypy_cache .ruff_cache
