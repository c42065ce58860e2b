"""Launch a peer OpenID Provider the profile describes (``issuer = "launched"`` + ``[launch]``).

A peer is an independent OP (e.g. npm ``oidc-provider`` in ``peers/``) started by the run
itself, so ``make check TENANT=oidc-provider`` works from a fresh clone. The contract
with the peer's command (the schema's ``launch.command`` says it too):

- environment in: ``PORT`` (0: any free port), ``CLIENT_ID``, ``CLIENT_SECRET``,
  ``REDIRECT_URIS`` (comma-separated), ``OTHER_CLIENT_ID``, ``OTHER_CLIENT_SECRET``,
  ``OTHER_REDIRECT_URIS`` (when the profile has ``[clients.other]``), ``TEST_USER``;
- stdout out: one line ``READY <issuer>`` once it listens; everything else on stderr.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hybridcheck.paths import ROOT
from hybridcheck.profile import Client, Launch, Profile

_READY = "READY "


class PeerFailed(Exception):
    """The peer could not be installed or did not become ready; the message says which."""


def peer_environment(profile: Profile, clients: Mapping[str, Client]) -> dict[str, str]:
    """The environment the launch contract promises the peer."""
    env = {"PORT": "0", "TEST_USER": profile.user.username}
    for role, prefix in (("main", ""), ("other", "OTHER_")):
        client = clients.get(role)
        if client is not None:
            env[f"{prefix}CLIENT_ID"] = client.client_id
            env[f"{prefix}CLIENT_SECRET"] = client.client_secret
            env[f"{prefix}REDIRECT_URIS"] = ",".join(client.redirect_uris)
    return env


def install_peer(launch: Launch) -> None:
    """Run the peer's install step once. A file lock makes concurrent runs (pytest-xdist workers,
    parallel jobs) wait for the first instead of installing into the same folder at once."""
    cwd = (ROOT / launch.cwd).resolve()
    if not launch.install:
        return
    with (cwd / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (cwd / launch.installed).exists():
            return
        done = subprocess.run(launch.install, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise PeerFailed(f"installing the peer failed ({' '.join(launch.install)} in {cwd}): {tail}")


@dataclass
class RunningPeer:
    process: subprocess.Popen[str]
    issuer: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.unlink(missing_ok=True)


def launch_peer(launch: Launch, env: Mapping[str, str], timeout_s: float = 60.0) -> RunningPeer:
    """Install (once) and start the peer; return when it printed ``READY <issuer>``."""
    cwd = (ROOT / launch.cwd).resolve()
    install_peer(launch)
    log = Path(tempfile.mkstemp(prefix="hybridcheck-peer-", suffix=".log")[1])
    with log.open("w") as stderr:
        process = subprocess.Popen(
            launch.command, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    issuer: list[str] = []
    ready = threading.Event()

    def watch_stdout() -> None:
        """Take the READY line, then keep draining stdout so the peer never blocks on it."""
        assert process.stdout is not None
        for line in process.stdout:
            if not issuer and line.startswith(_READY):
                issuer.append(line[len(_READY):].strip())
                ready.set()
        ready.set()  # the peer exited

    threading.Thread(target=watch_stdout, name="hybridcheck-peer-stdout", daemon=True).start()
    if not ready.wait(timeout_s) or not issuer:
        process.kill()
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        raise PeerFailed(f"peer {' '.join(launch.command)} did not print READY within {timeout_s:.0f} s: {tail}")
    return RunningPeer(process, issuer[0], log)
