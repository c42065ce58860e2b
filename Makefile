# The two commands: `make check` (the suite against a tenant) and `make test` (the project's own tests).
TENANT ?= local
ARGS ?=
N ?= 20
VENV := .venv
PYTEST := $(VENV)/bin/python -m pytest

.PHONY: check test test-fast setup clean lock mutation report proven bench soak

check: setup
	HYBRIDCHECK_TENANT=$(TENANT) $(PYTEST) suites $(ARGS)

test: setup
	$(PYTEST) tests $(ARGS)

# The inner loop: the checks' unit tests, the glue's and the reference tenant's (no browser, ~30 s).
test-fast: setup
	$(PYTEST) tests/checks tests/unit tests/tenant $(ARGS)

setup:
	@bash scripts/bootstrap.sh

# Re-pin requirements.lock from pyproject.toml (pip-tools, in a throwaway venv); commit the result.
lock:
	python3 -m venv /tmp/hybridcheck-piptools && /tmp/hybridcheck-piptools/bin/pip install -q pip-tools
	/tmp/hybridcheck-piptools/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --no-emit-trusted-host --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) reports/allure-results reports/*.xml reports/*.html reports/test-results

mutation: setup
	$(VENV)/bin/python -m hybridcheck.mutation $(ARGS)

# The Allure HTML site (Allure Report 3 from npm, no Java) from the last run's reports/allure-results.
report:
	@test -d tools/allure/node_modules || npm ci --prefix tools/allure --no-audit --no-fund --loglevel=error
	cd tools/allure && npx allure generate ../../reports/allure-results --config allurerc.mjs
	@echo "open reports/allure-report/index.html"

# docs/proof.md's "Proven against" section: the mutation matrix and the peers (oidc-provider at its
# stock settings and Auth0-like, idpyoidc, LemonLDAP::NG from Debian), then the table.
proven: setup
	$(VENV)/bin/python -m hybridcheck.mutation --jobs 2
	$(VENV)/bin/python -m pytest suites --tenant oidc-provider-stock -n 2 -q -o addopts=--strict-markers --reports-dir=reports/peers/oidc-provider-stock
	$(VENV)/bin/python -m pytest suites --tenant oidc-provider -n 2 -q -o addopts=--strict-markers --reports-dir=reports/peers/oidc-provider
	$(VENV)/bin/python -m pytest suites --tenant idpyoidc -n 2 -q -o addopts=--strict-markers --reports-dir=reports/peers/idpyoidc
	@if [ -x /usr/bin/plackup ] && [ -f /var/lib/lemonldap-ng/conf/lmConf-1.json ]; then set -x; \
	  $(VENV)/bin/python -m pytest suites --tenant llng -n 2 -q -o addopts=--strict-markers --reports-dir=reports/peers/llng; \
	else echo "proven: LemonLDAP::NG is not installed (scripts/bootstrap.sh installs it where apt-get is): llng skipped"; fi
	$(VENV)/bin/python -m hybridcheck.readme_tables --proven

# Speed as users feel it: the suite at -n 2 (all, not slow), at 1 and 4 workers against a 100 ms tenant, a flow
# against bare Playwright; the targets with pass/fail, last line JSON (bench/README.md).
bench: setup
	$(VENV)/bin/python bench/run.py $(ARGS)

# Flakiness: the full suite N times (odd runs 1 process, even runs -n 2); tests whose outcome changed, JSON last.
soak: setup
	$(VENV)/bin/python bench/soak.py --runs $(N) $(ARGS)
