"""The pytest plugin: options, markers, session fixtures, matrix parametrisation, requirement IDs.

Loaded by the root ``conftest.py`` (one line); it loads its companions (``pytest_plugins``
below): warnings as an outcome, reporting, the browser choice, xdist's exit, SIGINT. It
registers every marker in code, from the catalogue families and the matrix. It stays dormant for the project's own tests; when a
run collects ``suites/`` it loads the tenant profile in ``pytest_configure`` (a bad
profile is a usage error, exit code 4, before any test), then provides:

- ``profile``, ``target`` (the embedded tenant is started here), ``provider`` (discovery + JWKS),
- ``callback_server`` (the relying-party side), ``sso_storage_state`` (one login per worker),
- ``case`` (one RT × RM cell, skipped with the reason when the profile leaves it out or the
  tenant does not advertise it), ``any_case`` and the redirect-URI variants;
- through its companion :mod:`hybridcheck.flow_fixtures`: ``authorize``, ``fresh_authorize``,
  ``complete``, their shared forms ``shared_authorize`` / ``shared_complete``, and head starts.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hybridcheck import preflight, session
from hybridcheck.browser import choose_chromium, ws_endpoint
from hybridcheck.deviations import Deviation, ExpiredDeviation, check_review_dates, xfail_marker
from hybridcheck.environment import package_version, run_environment
from hybridcheck.head_starts import head_starts
from hybridcheck.evidence import ProviderMetadata
from hybridcheck.flows.authorize import AuthorizeFlow
from hybridcheck.flows.callback import CallbackServer
from hybridcheck.flows.http import BackChannel
from hybridcheck.flows.metadata import TenantUnreachable, fetch_metadata
from hybridcheck.flows.token import TokenClient
from hybridcheck.keys import (
    CHANNEL_KEY,
    DEFECTS_KEY,
    ENVIRONMENT_KEY,
    EVIDENCE_KEY,
    EXIT_TENANT_UNAVAILABLE,
    PROFILE_KEY,
    WORKER_EVIDENCE_KEY,
)
from hybridcheck.matrix import RT_MARKERS, FlowCase, as_params, cases, unusable_reason
from hybridcheck.near_miss import NearMiss, near_misses, wildcard_cases
from hybridcheck.paths import SUITES_DIR
from hybridcheck.peer import PeerFailed
from hybridcheck.profile import DEFAULT_PROFILE, ENV_PROFILE, RESPONSE_MODES, Profile, ProfileError, load_profile
from hybridcheck.redact import REDACTOR
from hybridcheck.requirements import catalogue
from hybridcheck.session import LoginFailed, sso_login, started_target, token_client
from hybridcheck.target import Authorizer, Target
from hybridcheck.tenant.defects import ENV_VAR as ENV_DEFECTS
from hybridcheck.tenant.defects import UnknownDefectError, parse_defects

pytest_plugins = [
    "hybridcheck.severity",
    "hybridcheck.reporting",
    "hybridcheck.browser_plugin",
    "hybridcheck.xdist_exit",
    "hybridcheck.interrupt",
    "hybridcheck.needs",
    "hybridcheck.flow_fixtures",
]

#: Requirement family → the marker a user selects it by (``pytest -m state``).
FAMILY_MARKERS = {
    "DISC": "discovery",
    "RESP": "response",
    "STATE": "state",
    "NONCE": "nonce",
    "IDT": "id_token",
    "TOK": "token",
    "REF": "refresh",
    "RURI": "redirect_uri",
    "FRAG": "redirect_fragment",
    "SESS": "session",
}
#: Requirements that also have a marker of their own.
REQUIREMENT_MARKERS = {"IDT-3": "c_hash", "IDT-4": "at_hash"}
#: The markers a suite test sets itself.
TEST_MARKERS = {
    "req(*ids)": "requirement IDs of the catalogue (REQUIREMENTS.md) this test verifies",
    "matrix(needs, lacks, modes)": "narrow the response type x response mode cells of a test",
    "oidf(module)": "the OpenID Foundation hybrid-plan module this test corresponds to",
    "smoke": "one happy path per response type x response mode",
    "negative": "the tenant must refuse something",
    "auth0": "Auth0-specific behaviour (audience, organization, custom claims)",
    "slow": "takes longer than a few seconds (waits on purpose)",
}


def markers() -> dict[str, str]:
    """Every marker the suite uses, with its help text: the ones tests set, and the ones the
    plugin adds from the matrix and the catalogue (``pytest -m "state and form_post"``)."""
    return {
        **TEST_MARKERS,
        **{marker: f'response_type "{rt}"' for rt, marker in RT_MARKERS.items()},
        **{mode: f"response_mode {mode}" for mode in RESPONSE_MODES},
        **{marker: f"{family}-* requirements" for family, marker in FAMILY_MARKERS.items()},
        **{marker: f"{req} only" for req, marker in REQUIREMENT_MARKERS.items()},
    }


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hybridcheck", "hybridcheck conformance suite")
    group.addoption(
        "--req",
        action="append",
        default=[],
        metavar="ID",
        help="run only the tests of these requirement IDs (repeatable, or comma-separated: --req IDT-3,IDT-4)",
    )
    group.addoption(
        "--tenant",
        default=None,
        help=f"tenant profile: a name in tenants/ or a path to a TOML file (default: ${ENV_PROFILE} or '{DEFAULT_PROFILE}')",
    )


def _runs_suites(config: pytest.Config) -> bool:
    """True when the run collects anything under ``suites/``, or names a tenant: a team's own
    checks (``pytest checks/ --tenant auth0``) use the suite's fixtures."""
    if config.getoption("--tenant"):
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents or path in SUITES_DIR.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    for name, help_text in markers().items():
        config.addinivalue_line("markers", f"{name}: {help_text}")
    if not _runs_suites(config):
        return
    ref = config.getoption("--tenant") or os.environ.get(ENV_PROFILE) or DEFAULT_PROFILE
    try:
        profile = load_profile(ref)
        defects = parse_defects(os.environ.get(ENV_DEFECTS))
        check_review_dates(profile.deviations, dt.date.today())
    except (ProfileError, UnknownDefectError, ExpiredDeviation) as exc:
        raise pytest.UsageError(str(exc)) from None
    if defects and not profile.embedded:
        raise pytest.UsageError(f"{ENV_DEFECTS} switches defects of the embedded tenant; profile {ref} is a real tenant")
    fixed, workers = profile.callback.registered_ports, _workers(config)
    if fixed and workers > len(fixed):
        raise pytest.UsageError(
            f"profile {profile.name}: callback port(s) {', '.join(map(str, fixed))} are fixed (the tenant has them "
            f"registered), and each of the {workers} xdist workers needs its own: list one registered port per "
            "worker in [callback] ports, or run with fewer workers (docs/scale-out.md)"
        )
    for secret in profile.secrets():
        REDACTOR.add(secret)
    config.stash[PROFILE_KEY] = profile
    config.stash[DEFECTS_KEY] = defects
    if not hasattr(config, "workerinput"):  # the controller's reports say what produced them
        config.stash[ENVIRONMENT_KEY] = run_environment(browser=_browser_label(config), tenant=profile.name,
                                                        issuer=profile.issuer)


def _browser_label(config: pytest.Config) -> str:
    if ws_endpoint(config.getoption("--browser-ws-endpoint")):
        return "from a Playwright server (--browser-ws-endpoint)"
    choice = choose_chromium(headless=not config.getoption("--headed", False))
    return choice.version if choice else "none found"


def worker_index() -> int:
    """This xdist worker's number (``gw3`` → 3); 0 without xdist."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def _workers(config: pytest.Config) -> int:
    """How many xdist workers this run asked for (``-n N``; ``auto``/``logical`` count as many)."""
    asked = config.getoption("numprocesses", None)
    return 0 if not asked else 2 if isinstance(asked, str) else int(asked)


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = config.stash.get(PROFILE_KEY, None)
    if profile is None:
        return []
    choice = choose_chromium(headless=not config.getoption("--headed", False))
    defects = ", ".join(sorted(config.stash[DEFECTS_KEY])) or "none"
    return [
        f"hybridcheck {package_version()}: tenant profile {profile.name} ({profile.path}), issuer {profile.issuer}",
        f"hybridcheck: browser {choice.label if choice else 'none found'}; defects switched on: {defects}",
    ]


# --- collection: matrix, requirement IDs, markers -------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise every test that asks for ``case`` over the RT × RM matrix.

    ``@pytest.mark.matrix(needs=[...], lacks=[...], modes=[...])`` narrows the cells.
    """
    if "case" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("matrix")
        selection = cases(**marker.kwargs) if marker else cases()
        metafunc.parametrize("case", as_params(selection), indirect=True)
    if "wildcard_case" in metafunc.fixturenames:
        pattern = _wildcard_pattern(metafunc.config, _COLLECTION_ORIGIN)
        ids = [v.id for v in wildcard_cases(pattern[1])] if pattern else ["no-wildcard-registered"]
        metafunc.parametrize("wildcard_case", ids, ids=ids, indirect=True)
    for name, equivalent in (("near_miss", False), ("equivalent_redirect_uri", True)):
        if name in metafunc.fixturenames:
            ids = [v.id for v in _near_misses(metafunc.config, _COLLECTION_ORIGIN) if v.equivalent == equivalent]
            metafunc.parametrize(name, ids, ids=ids, indirect=True)


#: The callback origin near misses are named from at collection time (the port is known later).
_COLLECTION_ORIGIN = "collection"


def _collection_origin(profile: Profile, callback_origin: str) -> str:
    if callback_origin == _COLLECTION_ORIGIN:
        return profile.callback.origin(profile.callback.port_for(0) or 65000)
    return callback_origin


def _wildcard_pattern(config: pytest.Config, callback_origin: str) -> tuple[str, str] | None:
    """The first client role with a wildcard redirect URI, and that URI (bound), if any."""
    profile = config.stash[PROFILE_KEY]
    for role, client in profile.clients.items():
        for uri in client.bound(_collection_origin(profile, callback_origin)).redirect_uris:
            if "*" in uri:
                return role, uri
    return None


def _near_misses(config: pytest.Config, callback_origin: str) -> list[NearMiss]:
    """Near misses of the main client's redirect URIs (and other clients' URIs), bound to ``callback_origin``.

    At collection the real port may not be known yet; the variants' *ids* depend only
    on the URI's shape, so a stand-in port names them and the fixture binds the real one.
    """
    profile = config.stash[PROFILE_KEY]
    origin = _collection_origin(profile, callback_origin)
    others = [uri for role, client in profile.clients.items() if role != "main"
              for uri in client.bound(origin).redirect_uris if "*" not in uri]
    registered = list(profile.main_client.bound(origin).redirect_uris)
    # The other workers' ports are registered too: none of their URIs is a near miss.
    registered += [uri for port in profile.callback.registered_ports
                   for uri in profile.main_client.bound(profile.callback.origin(port)).redirect_uris
                   if uri not in registered]
    return near_misses(registered, others)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every suite test names known requirement IDs; add their family markers and properties.

    A test outside ``suites/`` (a team's own check of its Actions) that names requirement
    IDs is treated the same; one that names none is not a suite test.
    """
    known = catalogue()
    problems = []
    for item in items:
        ids = [req for marker in item.iter_markers("req") for req in marker.args]
        if not ids and SUITES_DIR not in Path(str(item.path)).parents:
            continue
        unknown = [req for req in ids if req not in known]
        if not ids or unknown:
            problems.append(f"{item.nodeid}: " + (f"unknown requirement IDs {unknown}" if ids else "no @pytest.mark.req"))
            continue
        for req in ids:
            item.add_marker(FAMILY_MARKERS[known[req].family])
            if req in REQUIREMENT_MARKERS:
                item.add_marker(REQUIREMENT_MARKERS[req])
            item.user_properties.append(("requirement", req))
    if problems:
        raise pytest.UsageError("suite tests without valid requirement IDs:\n  " + "\n  ".join(problems))
    _select_requirements(config, items)
    _mark_known_deviations(config, items)
    _clock_waits_last(items)


def _clock_waits_last(items: list[pytest.Item]) -> None:
    """End with the tests that wait on a clock (``slow``), head starts last of all.

    By then their clocks have run: max_age's 2 s and prompt=login's 1 s are measured from the
    worker's SSO login, and a head start (:data:`~hybridcheck.head_starts.HEAD_STARTS`:
    SESS-9's 30 s) from the worker's start, so they wait for what is left, if anything. The
    order is otherwise kept.
    """
    items.sort(key=lambda item: 2 if head_starts(item) else 1 if item.get_closest_marker("slow") else 0)


def _mark_known_deviations(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests a profile's ``[[deviations]]`` cover become strict xfails; unused entries warn."""
    profile = config.stash.get(PROFILE_KEY, None)
    deviations = profile.deviations if profile else ()
    used: set[Deviation] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        cell = callspec.params.get("case") if callspec else None
        requirements = [value for name, value in item.user_properties if name == "requirement"]
        for deviation in deviations:
            rt, rm = (cell.response_type, cell.response_mode) if cell else (None, None)
            if deviation.matches(item.nodeid, requirements, rt, rm):
                item.add_marker(xfail_marker(deviation))
                used.add(deviation)
                break
    for deviation in deviations:
        if deviation not in used:
            warnings.warn(pytest.PytestWarning(f"known deviation {deviation.describe()} matches no collected test"),
                          stacklevel=1)


def _select_requirements(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--req ID``: keep only the tests that verify one of the IDs given."""
    wanted = {req.strip() for value in config.getoption("--req") for req in value.split(",") if req.strip()}
    if not wanted:
        return
    unknown = sorted(wanted - set(catalogue()))
    if unknown:
        raise pytest.UsageError(f"--req: unknown requirement IDs {unknown}")
    kept, dropped = [], []
    for item in items:
        ids = {value for name, value in item.user_properties if name == "requirement"}
        (kept if ids & wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# --- session fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def profile(pytestconfig: pytest.Config) -> Profile:
    """The validated tenant profile of this run."""
    return pytestconfig.stash[PROFILE_KEY]


@pytest.fixture(scope="session")
def callback_server(profile: Profile) -> Iterator[CallbackServer]:
    """The relying party's callback server on loopback."""
    with CallbackServer(profile.callback.host, profile.callback.port_for(worker_index())) as server:
        yield server


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, profile: Profile, callback_server: CallbackServer) -> Iterator[Target]:
    """The tenant under test. The run starts it for ``issuer = "embedded"`` (the reference
    tenant) and ``issuer = "launched"`` (a peer OP from ``[launch]``)."""
    try:
        with started_target(profile, callback_server.origin, pytestconfig.stash[DEFECTS_KEY]) as running:
            yield running
    except PeerFailed as exc:
        pytest.exit(str(exc), returncode=EXIT_TENANT_UNAVAILABLE)


@pytest.fixture(scope="session")
def http_client(profile: Profile) -> Iterator[httpx.Client]:
    """One HTTP client for the run's back-channel calls."""
    with httpx.Client(timeout=profile.http_timeout_s) as client:
        yield client


@pytest.fixture(scope="session")
def provider(target: Target, http_client: httpx.Client) -> ProviderMetadata:
    """Discovery document and JWKS; an unreachable tenant ends the run with one message."""
    try:
        return fetch_metadata(http_client, target.issuer)
    except TenantUnreachable as exc:
        pytest.exit(str(exc), returncode=EXIT_TENANT_UNAVAILABLE)


@pytest.fixture(scope="session")
def back_channel(pytestconfig: pytest.Config, http_client: httpx.Client) -> BackChannel:
    """Token and UserInfo calls: counted per endpoint (terminal summary), 429-aware."""
    channel = BackChannel(http_client)
    pytestconfig.stash[CHANNEL_KEY] = channel
    return channel


@pytest.fixture(scope="session")
def tokens(back_channel: BackChannel, provider: ProviderMetadata, target: Target, tmp_path_factory: Any) -> TokenClient:
    """Token endpoint and UserInfo of the target, by client role; UserInfo paced by ``[limits]``.

    A tenant the run started lives as long as this process, so its budget file does too.
    """
    budget_dir = tmp_path_factory.getbasetemp() if target.profile.started_by_run else None
    return token_client(back_channel, provider, target, budget_dir)


@pytest.fixture(scope="session")
def authorize_flow(profile: Profile, callback_server: CallbackServer) -> AuthorizeFlow:
    return session.authorize_flow(profile, callback_server)


@pytest.fixture(scope="session")
def sso_storage_state(
    pytestconfig: pytest.Config, browser: Any, target: Target, provider: ProviderMetadata,
    authorize_flow: AuthorizeFlow, tokens: TokenClient,
) -> dict:
    """Log in once per worker and keep the browser state, so tests reuse the SSO session; then
    the pre-flight (:mod:`hybridcheck.preflight`) in that session: a known misconfiguration ends
    the run (exit 6) with the setting to fix."""
    kept = pytestconfig.stash.setdefault(WORKER_EVIDENCE_KEY, [])

    try:
        storage_state, _ = sso_login(browser, target, provider, authorize_flow, kept.append)
        context = browser.new_context(storage_state=storage_state)
        try:
            checked = Authorizer(target, provider, authorize_flow, context.new_page)
            kept.append(checked)
            preflight.run(checked, tokens, target.profile)
        finally:
            context.close()
    except LoginFailed as exc:
        pytest.exit(str(exc), returncode=EXIT_TENANT_UNAVAILABLE)
    except preflight.Misconfigured as exc:
        pytest.exit(f"pre-flight: tenant {target.issuer} is misconfigured: {exc}", returncode=EXIT_TENANT_UNAVAILABLE)
    return storage_state


# --- test fixtures ----------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that fails (not a skip, not a known deviation) keeps the page it ended on as evidence."""
    try:
        return (yield)
    except BaseException as raised:
        authorizer = item.stash.get(EVIDENCE_KEY, None)
        failed = not isinstance(raised, (pytest.skip.Exception, KeyboardInterrupt))
        if failed and authorizer is not None and item.get_closest_marker("xfail") is None:
            authorizer.keep_final_page()
        raise


@pytest.fixture
def case(request: pytest.FixtureRequest, profile: Profile, provider: ProviderMetadata) -> FlowCase:
    """One RT × RM cell; skipped (with the reason) when the profile or the tenant leaves it out (DISC-2)."""
    cell: FlowCase = request.param
    reason = unusable_reason(cell, profile, provider)
    if reason:
        pytest.skip(reason)
    return cell


def _near_miss_named(request: pytest.FixtureRequest) -> NearMiss:
    origin = request.getfixturevalue("callback_server").origin
    return next(v for v in _near_misses(request.config, origin) if v.id == request.param)


@pytest.fixture
def near_miss(request: pytest.FixtureRequest) -> NearMiss:
    """One redirect URI that must be refused (RURI-2), derived from the main client's first one."""
    return _near_miss_named(request)


@pytest.fixture
def wildcard_case(request: pytest.FixtureRequest) -> tuple[str, NearMiss]:
    """RURI-4: (client role, one wildcard case) for the profile's wildcard callback; skipped without one."""
    found = _wildcard_pattern(request.config, request.getfixturevalue("callback_server").origin)
    if found is None:
        pytest.skip("the profile registers no wildcard callback")
    role, pattern = found
    return role, next(v for v in wildcard_cases(pattern) if v.id == request.param)


@pytest.fixture
def equivalent_redirect_uri(request: pytest.FixtureRequest) -> NearMiss:
    """One redirect URI equivalent to the registered one under RFC 3986 normalisation."""
    return _near_miss_named(request)


@pytest.fixture
def any_case(profile: Profile, provider: ProviderMetadata) -> FlowCase:
    """One usable cell, for requirements that do not depend on the response type or mode."""
    for cell in cases():
        if unusable_reason(cell, profile, provider) is None:
            return cell
    pytest.skip(f"profile {profile.name} and the tenant have no response type x mode in common")
