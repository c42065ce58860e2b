# The two commands: `make check` (the suite against a tenant) and `make test` (the project's own tests).
TENANT ?= local
ARGS ?=
VENV := .venv
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: check test setup clean mutation

check: setup
	HYBRIDCHECK_TENANT=$(TENANT) $(PYTEST) suites $(ARGS)

test: setup
	$(PYTEST) tests $(ARGS)

setup:
	@bash scripts/bootstrap.sh

clean:
	rm -rf $(VENV) reports/allure-results reports/*.xml reports/*.html reports/test-results

mutation: setup
	$(VENV)/bin/python -m hybridcheck.mutation $(ARGS)
