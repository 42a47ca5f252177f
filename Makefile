# parler-coverage: `make report` builds the shared HTML, `make test` runs every test, `make lab` opens
# JupyterLab. Each sets up .venv first (once; rebuilt when pyproject.toml changes): the package with its `lab`
# and `test` extras (`pip install .` alone is enough for `make report`'s command, `python -m helpers report`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# JupyterLab reads default settings from <prefix>/share/jupyter/lab/settings/overrides.json. Ours answers
# "Would you like to get notified about official Jupyter news?" with never (and checks for no updates), so
# `make lab` opens without that pop-up and asks nothing of the network.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# The venv's Python as a named Jupyter kernel. `make lab` registers it inside the venv (--sys-prefix: nothing is
# written outside the project, and it goes with the venv); `make kernel` registers it for your user, so a
# JupyterLab installed elsewhere lists it too. Both overwrite an earlier registration of the same name.
KERNEL_NAME := parler-coverage
KERNEL_DISPLAY := Python (parler-coverage)
KERNEL_SPEC := $(VENV)/share/jupyter/kernels/$(KERNEL_NAME)/kernel.json

.PHONY: setup report test lab kernel validate export clean chromium

setup: $(STAMP) $(LAB_OVERRIDES)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[lab,test]'
	@# jsonschema eagerly imports rfc3987-syntax (~2 s per `import altair`); see ../shared/STACK.md.
	@# Done last: reinstalling a Jupyter package brings it back.
	$(PY) -m pip uninstall --quiet --yes rfc3987-syntax
	@touch $(STAMP)

$(LAB_OVERRIDES): lab/overrides.json $(STAMP)
	@mkdir -p $(@D)
	cp lab/overrides.json $@

$(KERNEL_SPEC): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY)"

kernel: setup
	$(PY) -m ipykernel install --user --name $(KERNEL_NAME) --display-name "$(KERNEL_DISPLAY)"

report: setup
	$(PY) -m helpers report --out build/report

# The browser tests drive Debian's chromium (never `playwright install`): install it when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium', then 'make test'." >&2; \
	    exit 1; \
	  fi; }

test: setup chromium
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m helpers validate
	$(PY) -m pytest

lab: setup $(KERNEL_SPEC)
	@# Notebooks run outside the browser open untrusted (blank charts) until trusted.
	$(VENV)/bin/jupyter trust notebooks/*.ipynb
	$(VENV)/bin/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

validate: setup
	$(PY) -m helpers validate

export: setup
	$(PY) -m helpers export --out build/export

clean:
	rm -rf build
