# One command per job. Every target sets up .venv by itself first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.coursekit-installed
KERNEL := coursekit
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0

.PHONY: help install lab test test-unit test-notebooks test-e2e test-hub site bench bench-grade claims lint execute clean

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (coursekit)" > /dev/null
	@# ipykernel 7 logs a TCP-transport warning at every kernel start; keep kernel logs to errors.
	mkdir -p $(VENV)/etc/ipython
	echo '{"IPKernelApp": {"log_level": "ERROR"}}' > $(VENV)/etc/ipython/ipython_kernel_config.json
	touch $(STAMP)

# bubblewrap (Debian's package) is the grader's sandbox; without root or apt it is skipped with a
# message, and `coursekit grade` then says it has only weak isolation (and refuses as root).
install: $(STAMP)  ## Create .venv, install the pinned dependencies and coursekit, register the kernel, bubblewrap
	command -v bwrap > /dev/null || (apt-get update && apt-get install -y bubblewrap) \
		|| echo "make install: could not install bubblewrap with apt; coursekit grade will have only weak isolation (README: security)."

lab: $(STAMP)  ## Open JupyterLab on the first lesson (prints the URL when there is no browser)
	$(BIN)/coursekit lab notebooks/00_overfitting.ipynb

# tests/e2e (real browser, a few minutes) is left to `make test-e2e`, which .ci/run also runs.
test: $(STAMP)  ## Unit tests, then nbval on every notebook (the browser tests: make test-e2e)
	$(BIN)/python -m pytest tests notebooks --ignore=tests/e2e --ignore=tests/hub --nbval --nbval-current-env --nbval-cell-timeout=300 -p no:randomly

test-unit: $(STAMP)  ## Unit tests only (fast)
	$(BIN)/python -m pytest tests --ignore=tests/e2e --ignore=tests/hub

test-notebooks: $(STAMP)  ## nbval on every notebook only
	$(BIN)/python -m pytest notebooks --nbval --nbval-current-env --nbval-cell-timeout=300

# Chromium comes from apt (Debian's package), never from `playwright install`. Without root or apt
# the install is skipped and the browser tests are skipped with the reason.
test-e2e: $(STAMP)  ## Browser tests: lesson 00 run in JupyterLab through Chromium, and the site
	command -v chromium > /dev/null || (apt-get update && apt-get install -y chromium) \
		|| echo "make test-e2e: could not install chromium with apt; the browser tests will be skipped."
	$(BIN)/python -m pytest tests/e2e -rsx

# A real JupyterHub on 127.0.0.1 (a few minutes): jupyterhub from PyPI (the `hub` extra), and its
# proxy, configurable-http-proxy, from the npm registry at the version locked in tests/hub/node/.
# Without Node.js and npm the proxy is not installed and the test is skipped with the reason.
HUB_NODE := build/hub-node
HUB_STAMP := $(VENV)/.coursekit-hub-installed
$(HUB_STAMP): pyproject.toml | $(STAMP)
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,hub]"
	touch $(HUB_STAMP)

test-hub: $(HUB_STAMP)  ## JupyterHub end to end: 3 learners log in, run lesson 00, get graded
	if command -v npm > /dev/null && command -v node > /dev/null; then \
		mkdir -p $(HUB_NODE) && cp tests/hub/node/package.json tests/hub/node/package-lock.json $(HUB_NODE)/ && \
		npm ci --prefix $(HUB_NODE) --no-audit --no-fund --loglevel=error; \
	else echo "make test-hub: Node.js or npm not found; the hub test will be skipped."; fi
	$(BIN)/python -m pytest tests/hub -rs -p no:randomly

site: $(STAMP)  ## Static course site from the executed notebooks, in build/site/
	$(BIN)/coursekit site --out build/site

execute: $(STAMP)  ## Re-execute every notebook in place, top to bottom (stores fresh outputs)
	$(BIN)/coursekit execute notebooks/*.ipynb

bench: $(STAMP)  ## Time and peak memory per notebook, plus the test-suite time (build/bench.json)
	$(BIN)/coursekit bench --out build/bench.json

bench-grade: $(STAMP)  ## Grade a generated class of 100 submissions: submissions/minute and peak memory
	$(BIN)/coursekit bench-grade --students 100 --workers 2 --out build/bench-grade.json

# Seed offsets for `make claims`; the default is 20 offsets nobody tuned on (1000, 2000, ..., 20000).
OFFSETS ?= $(shell seq -s ' ' 1000 1000 20000)
CLAIMS_NOTEBOOKS ?=
claims: $(STAMP)  ## Execute every lesson at each seed offset in OFFSETS="..."; table of failed asserts
	$(BIN)/coursekit claims $(CLAIMS_NOTEBOOKS) --offsets $(OFFSETS)

lint: $(STAMP)  ## ruff on the package, the tests and the notebooks
	$(BIN)/ruff check coursekit tests notebooks

clean:  ## Remove build outputs (keeps .venv)
	rm -rf build .pytest_cache
