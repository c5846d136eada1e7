# Two commands: `make run` (set up everything and serve on 127.0.0.1:8000,
# in development or production as TOLLGATE_ENV says) and `make test`. Everything they need is installed from this file.
# `make install` also compiles the translations (translations/*/LC_MESSAGES/*.po
# -> .mo, which are not committed); see docs/i18n.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
PYTEST_ARGS ?=

MOS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/*.po))

.PHONY: run test install install-dev translations migrate seed bench clean chromium claude-code codex gemini-cli

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# --no-compile: alipay-sdk-python ships 36k modules; byte-compiling them all
# at install time costs half a minute for code we import a corner of.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --no-compile -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q --no-compile -r requirements-dev.txt
	touch $@

# The gettext catalogs the app reads: compiled whenever a .po is newer.
$(MOS): %.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -d translations

translations: $(MOS)
install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

migrate: install
	$(BIN)/flask --app app db upgrade

# Seeds the demo only in development; in production it says so and skips.
seed: migrate
	$(BIN)/flask --app app demo seed --only-in-development

# gunicorn also reads ./gunicorn.conf.py: the metrics directory for its workers, JSON logs.
run: seed
	@echo "Serving Tollgate on http://127.0.0.1:$(PORT) (gunicorn, $(WORKERS) gevent workers)"
	@echo "Customers register at /register; make an operator for /admin with:"
	@echo "  $(BIN)/flask --app app admin create you@example.com"
	$(BIN)/gunicorn --worker-class gevent --workers $(WORKERS) --bind 127.0.0.1:$(PORT) \
		--no-control-socket --access-logfile - wsgi:app

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here);
# a CJK font makes the Chinese pages readable in its screenshots.
chromium:
	@(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-zenhei)

# Claude Code's CLI, for the test that drives it through Tollgate. Optional:
# without npm or the registry the test is skipped and says why.
claude-code:
	@test -x .tools/node_modules/.bin/claude || ! command -v npm >/dev/null || \
		npm install --prefix .tools --no-audit --no-fund --silent @anthropic-ai/claude-code@2.1.197 || \
		echo "could not install the Claude Code CLI; its test will be skipped"

# Codex CLI, for the tests that drive it through /v1/responses. Optional, like
# claude-code. The npm package is a launcher; the program is the native binary
# of an optional per-platform dependency (@openai/codex-linux-x64 here), so
# success means `codex --version` runs, not that the launcher exists.
codex:
	@.tools/node_modules/.bin/codex --version >/dev/null 2>&1 || ! command -v npm >/dev/null || \
		(npm install --prefix .tools --no-audit --no-fund --silent --include=optional @openai/codex@0.171.0 && \
		 .tools/node_modules/.bin/codex --version >/dev/null) || \
		echo "could not install the Codex CLI; its test will be skipped"

# Gemini CLI, for the tests that drive it through the Gemini door
# (/v1beta/models/...). Optional, like claude-code.
gemini-cli:
	@.tools/node_modules/.bin/gemini --version >/dev/null 2>&1 || ! command -v npm >/dev/null || \
		(npm install --prefix .tools --no-audit --no-fund --silent @google/gemini-cli@0.61.0 && \
		 .tools/node_modules/.bin/gemini --version >/dev/null) || \
		echo "could not install the Gemini CLI; its test will be skipped"

test: install-dev chromium claude-code codex gemini-cli
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts .tools $(MOS)
