#!/usr/bin/env bash
# Idempotent set-up for `make check` / `make test`: a .venv with the locked dependencies
# (requirements.lock, pinned by pip-compile from pyproject.toml: `make lock`), the project
# installed on top without resolving anything again, and a Chromium for Playwright (its
# bundled build where `playwright install` works, else Debian's chromium). A second call
# installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
py=${PYTHON:-python3}
stamp="$venv/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)"

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "bootstrap: apt-get install $*" >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

if [[ ! -f $stamp ]]; then
  echo "bootstrap: installing the project into $venv" >&2
  [[ -x $venv/bin/python ]] || "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v '^WARNING: Location' >&2 || true
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v '^WARNING: Location' >&2 || true
  "$venv/bin/pip" check >&2 # the lock and pyproject.toml agree (a stale lock fails here)
  "$venv/bin/python" -c "import hybridcheck.plugin" # fails loudly if the install did not work
  rm -f "$venv"/.installed-* && touch "$stamp"
fi

# Playwright's driver (Node) needs libatomic on a bare Debian.
if ! ldconfig -p 2>/dev/null | grep -q 'libatomic.so.1'; then apt_install libatomic1; fi

if ! "$venv/bin/python" -m hybridcheck.browser >/dev/null 2>&1; then
  echo "bootstrap: no Chromium yet; trying 'playwright install chromium'" >&2
  if ! timeout 120 "$venv/bin/playwright" install chromium >/dev/null 2>&1; then
    echo "bootstrap: Playwright's browser download is not reachable; using Debian's chromium" >&2
    apt_install chromium chromium-headless-shell
  fi
  "$venv/bin/python" -m hybridcheck.browser >&2
fi

# The LemonLDAP::NG peer (tenants/llng.toml, peers/llng/): Debian's packages, where apt is there.
# Without them the peer is skipped (tests/e2e/test_peers.py says why); nothing else needs them.
llng_packages=(liblemonldap-ng-portal-perl lemonldap-ng-fastcgi-server libcrypt-openssl-bignum-perl
  libio-string-perl libhttp-parser-xs-perl libgd-securityimage-perl libimage-magick-perl libstring-random-perl)
llng_missing=()
for package in "${llng_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || llng_missing+=("$package")
done
if (( ${#llng_missing[@]} )); then
  if command -v apt-get >/dev/null 2>&1 && { [[ $(id -u) == 0 ]] || command -v sudo >/dev/null 2>&1; }; then
    apt_install "${llng_missing[@]}" || echo "bootstrap: installing LemonLDAP::NG failed; the llng peer will be skipped" >&2
  else
    echo "bootstrap: no apt-get here: LemonLDAP::NG (the llng peer) not installed, its tests are skipped" >&2
  fi
fi
