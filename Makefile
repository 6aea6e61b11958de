# Set-up is two commands: `make serve` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install build serve test bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/bonemet build -q

serve: build
	$(BIN)/bonemet serve --host 127.0.0.1 --port 8000

# Debian packages the tests use: rapper (an independent RDF parser) and Java (HermiT).
system-deps:
	@command -v rapper >/dev/null 2>&1 && command -v roqet >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq raptor2-utils rasqal-utils default-jre-headless chromium >/dev/null; }

# Lint, types, then the whole suite on every core (pytest-xdist); the release in dist/ is what the
# commands run in the checkout read.
test: install system-deps build
	$(BIN)/ruff check src tests scripts setup.py
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

# Every figure of docs/benchmarks.md, measured side by side on this machine (about half an hour).
bench: build
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python scripts/bench.py

clean:
	rm -rf dist dist.tmp-* dist.old
