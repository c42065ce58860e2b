#!/usr/bin/env python3
"""Start LemonLDAP::NG's portal (Debian's packages) as a peer OP for hybridcheck.

The launch contract (hybridcheck/peer.py): environment in (PORT, CLIENT_ID, CLIENT_SECRET,
REDIRECT_URIS, OTHER_*, TEST_USER), one stdout line ``READY <issuer>`` once the portal
answers, everything else on stderr. Debian's demo configuration (lmConf-1.json) is read as
installed and changed only where OVERRIDES / the client block say (peers/llng/README.md,
"Settings"); configuration, sessions, caches and the signing key live in a temporary directory
removed at exit, so no state survives a run. SIGTERM/SIGINT (or the death of the parent) stop
the portal and clean up.

Standard library only: it runs with the system python3.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_CONF = Path(os.environ.get("LLNG_DEMO_CONF", "/var/lib/lemonldap-ng/conf/lmConf-1.json"))
DEBIAN_INI = Path("/etc/lemonldap-ng/lemonldap-ng.ini")
PLACKUP = shutil.which("plackup") or "/usr/bin/plackup"
PORTAL_MODULE = Path("/usr/share/perl5/Lemonldap/NG/Portal/Main.pm")


def log(message: str) -> None:
    print(f"llng-peer: {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    log(message)
    sys.exit(2)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def signing_key(state: Path) -> tuple[str, str]:
    """A fresh RSA-2048 key pair (PEM private, PEM public) made by the Perl module LLNG itself uses."""
    script = (
        "use Crypt::OpenSSL::RSA; my $k = Crypt::OpenSSL::RSA->generate_key(2048);"
        "open my $f, '>', $ARGV[0] or die; print $f $k->get_private_key_string; close $f;"
        "open $f, '>', $ARGV[1] or die; print $f $k->get_public_key_x509_string; close $f;"
    )
    private, public = state / "sig.key", state / "sig.pub"
    subprocess.run(["perl", "-e", script, str(private), str(public)], check=True)
    return private.read_text(), public.read_text()


def client_block(key: str, client_id: str, secret: str, uris: str) -> dict[str, object]:
    """One relying party (oidcRPMetaDataOptions); LLNG wants redirect URIs space-separated."""
    redirect_uris = [u for u in uris.split(",") if u]
    if not redirect_uris:
        fail(f"{key}: no redirect URIs")
    return {
        "oidcRPMetaDataOptionsClientID": client_id,
        "oidcRPMetaDataOptionsClientSecret": secret,
        "oidcRPMetaDataOptionsRedirectUris": " ".join(redirect_uris),
        "oidcRPMetaDataOptionsPublic": 0,
        "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
        "oidcRPMetaDataOptionsRefreshToken": 1,
        "oidcRPMetaDataOptionsAllowOffline": 1,
        "oidcRPMetaDataOptionsBypassConsent": 1,
    }


# The Manager's attribute mapping for a new relying party: claim -> session attribute.
EXPORTED_VARS = {"email": "mail", "family_name": "sn", "name": "cn"}


def configuration(state: Path, port: int) -> tuple[dict[str, object], str]:
    try:
        conf = json.loads(DEMO_CONF.read_text())
    except OSError as exc:
        fail(f"Debian's demo configuration is missing ({exc}): apt-get install liblemonldap-ng-portal-perl")
    portal = f"http://127.0.0.1:{port}/"
    issuer = f"http://127.0.0.1:{port}"
    private, public = signing_key(state)
    sessions, psessions = state / "sessions", state / "psessions"
    for d in (sessions / "lock", psessions / "lock", state / "cache", state / "notifications"):
        d.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, object] = {
        # where the portal is: plain http on loopback (the demo says http://auth.example.com/)
        "portal": portal,
        "domain": "127.0.0.1",
        "oidcServiceMetaDataIssuer": issuer,
        # the demo's storage paths under /var/lib/lemonldap-ng -> this run's temporary directory
        "globalStorageOptions": {**conf["globalStorageOptions"], "Directory": str(sessions),
                                 "LockDirectory": str(sessions / "lock")},
        "persistentStorageOptions": {**conf["persistentStorageOptions"], "Directory": str(psessions),
                                     "LockDirectory": str(psessions / "lock")},
        "localSessionStorageOptions": {**conf["localSessionStorageOptions"], "cache_root": str(state / "cache")},
        "notificationStorageOptions": {**conf["notificationStorageOptions"], "dirName": str(state / "notifications")},
        # the OpenID Connect issuer and the flows under test
        "issuerDBOpenIDConnectActivation": 1,
        "oidcServiceAllowHybridFlow": 1,
        "oidcServiceAllowImplicitFlow": 1,
        "oidcServicePrivateKeySig": private,
        "oidcServicePublicKeySig": public,
        "oidcServiceKeyIdSig": "llng-" + secrets.token_hex(6),
        # the demo's "Demo" register module needs a Perl module Debian does not ship
        "registerDB": "Null",
        # Demo authentication, but TEST_USER accepts the password the run makes up (lib/Hybridcheck/Auth.pm)
        "authentication": "Custom",
        "customAuth": "Hybridcheck::Auth",
        "userDB": "Demo",
        "cfgNum": 1,
        "cfgAuthor": "hybridcheck peers/llng/launch.py",
    }
    conf.update(overrides)
    rps: dict[str, object] = {}
    exported: dict[str, object] = {}
    for key, prefix in (("hybridcheck-main", ""), ("hybridcheck-other", "OTHER_")):
        client_id = os.environ.get(f"{prefix}CLIENT_ID")
        if not client_id:
            if not prefix:
                fail("CLIENT_ID is not set")
            continue
        secret = os.environ.get(f"{prefix}CLIENT_SECRET") or fail(f"{prefix}CLIENT_SECRET is not set")
        rps[key] = client_block(key, client_id, secret, os.environ.get(f"{prefix}REDIRECT_URIS", ""))
        exported[key] = dict(EXPORTED_VARS)
    conf["oidcRPMetaDataOptions"] = rps
    conf["oidcRPMetaDataExportedVars"] = exported
    return conf, issuer


def write_ini(state: Path) -> Path:
    """Debian's lemonldap-ng.ini with the configuration directory and the config cache moved here."""
    conf_dir = state / "conf"
    conf_dir.mkdir(exist_ok=True)
    lines = []
    for line in DEBIAN_INI.read_text().splitlines():
        stripped = line.split("=", 1)[0].strip()
        if stripped == "dirName":
            line = f"dirName = {conf_dir}"
        elif "'cache_root'" in line:
            line = f"    'cache_root'         => '{state / 'cache'}',       \\"
        lines.append(line)
    ini = state / "lemonldap-ng.ini"
    ini.write_text("\n".join(lines) + "\n")
    return ini


def die_with_parent() -> None:
    """In the child: SIGTERM when this launcher dies (PR_SET_PDEATHSIG), and no SIGINT of our own."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Stopped(Exception):
    """Raised by the signal handlers; main() cleans up on the way out."""


def stopped(signum: int, _frame: object) -> None:
    raise Stopped(signal.Signals(signum).name)


def wait_ready(child: subprocess.Popen[bytes], issuer: str, timeout_s: float = 45.0) -> bool:
    """Until the portal serves its discovery document with the expected issuer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            log(f"the portal exited with status {child.returncode} before it was ready")
            return False
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=5) as r:
                if json.load(r).get("issuer") == issuer:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    log(f"the portal did not answer within {timeout_s:.0f} s")
    return False


def watch_parent() -> None:
    """Stop (SIGTERM to ourselves) when the process that started us is gone: no orphaned portal."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="llng-parent-watch", daemon=True).start()


def main() -> int:
    if not all(Path(f).exists() for f in (PLACKUP, DEBIAN_INI, PORTAL_MODULE)):
        fail("LemonLDAP::NG is not installed (apt-get install liblemonldap-ng-portal-perl "
             "lemonldap-ng-fastcgi-server ...; see peers/llng/README.md)")
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stopped)
    watch_parent()
    port = int(os.environ.get("PORT") or 0) or free_port()
    state = Path(tempfile.mkdtemp(prefix="hybridcheck-llng-"))
    child: subprocess.Popen[bytes] | None = None
    try:
        ini = write_ini(state)
        conf, issuer = configuration(state, port)
        (state / "conf" / "lmConf-1.json").write_text(json.dumps(conf, indent=1))
        env = {**os.environ, "LLNG_DEFAULTCONFFILE": str(ini), "PERL5LIB": os.pathsep.join(
            p for p in (str(HERE / "lib"), os.environ.get("PERL5LIB", "")) if p)}
        child = subprocess.Popen(
            [PLACKUP, "-s", "HTTP::Server::PSGI", "--host", "127.0.0.1", "--port", str(port),
             "--no-default-middleware", str(HERE / "portal.psgi")],
            env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr, preexec_fn=die_with_parent,
        )
        if not wait_ready(child, issuer):
            return 2
        log(f"portal {issuer}/ (state in {state}), clients {', '.join(conf['oidcRPMetaDataOptions'])}")
        print(f"READY {issuer}", flush=True)
        child.wait()
        log(f"the portal exited with status {child.returncode}")
        return 1
    except Stopped as signame:
        log(f"{signame}: stopping")
        return 0
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
