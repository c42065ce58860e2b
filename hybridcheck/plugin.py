"""The pytest plugin: options, markers, session fixtures, matrix parametrisation, requirement IDs.

Loaded by the root ``conftest.py`` (one line); it loads its companions (``pytest_plugins``
below): warnings as an outcome, reporting, the browser choice, xdist's exit, SIGINT. It
registers every marker in code, from the catalogue families and the matrix. It stays dormant for the project's own tests; when a
run collects ``suites/`` it loads the tenant profile in ``pytest_configure`` (a bad
profile is a usage error, exit code 4, before any test), then provides:

- ``profile``, ``target`` (the embedded tenant is started here), ``provider`` (discovery + JWKS),
- ``callback_server`` (the relying-party side), ``sso_storage_state`` (one login per worker),
- ``authorize`` / ``fresh_authorize`` (an :class:`~hybridcheck.target.Authorizer` with or
  without the SSO session, on the worker's reused page unless the test judges the session),
  ``complete``, their shared forms ``shared_authorize`` / ``shared_complete`` for tests that
  only read a flow (:mod:`hybridcheck.shared_flows`), ``code_exchanged_at_start`` (a head start,
  :data:`HEAD_STARTS`), and ``case`` (one RT × RM cell, skipped with the reason when the
  profile leaves it out or the tenant does not advertise it).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hybridcheck import preflight, session
from hybridcheck.browser import choose_chromium, ws_endpoint
from hybridcheck.checks.discovery import unadvertised_reason
from hybridcheck.checks.response import check_flow_succeeded
from hybridcheck.checks.wellformed import check_completed_flow_usable
from hybridcheck.deviations import Deviation, ExpiredDeviation, check_review_dates, xfail_marker
from hybridcheck.environment import package_version, run_environment
from hybridcheck.evidence import AuthorizationResponse, CompletedFlow, ProviderMetadata, TokenResponse
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
    SHARED_EVIDENCE_KEY,
    WORKER_EVIDENCE_KEY,
)
from hybridcheck.matrix import RT_MARKERS, FlowCase, as_params, cases
from hybridcheck.near_miss import NearMiss, near_misses, wildcard_cases
from hybridcheck.paths import SUITES_DIR
from hybridcheck.peer import PeerFailed
from hybridcheck.profile import DEFAULT_PROFILE, ENV_PROFILE, RESPONSE_MODES, Profile, ProfileError, load_profile
from hybridcheck.redact import REDACTOR
from hybridcheck.requirements import catalogue
from hybridcheck.session import LoginFailed, sso_login, started_target, token_client
from hybridcheck.shared_flows import SharedFlow, SharedFlows
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
    worker's SSO login, and a head start (:data:`HEAD_STARTS`: SESS-9's 30 s) from the worker's
    start, so they wait for what is left, if anything. The order is otherwise kept.
    """
    items.sort(key=lambda item: 2 if _head_starts(item) else 1 if item.get_closest_marker("slow") else 0)


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
    reason = _usable(cell, profile, provider)
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


def _usable(cell: FlowCase, profile: Profile, provider: ProviderMetadata) -> str | None:
    """Why ``cell`` cannot run here (profile capabilities, then discovery), or None."""
    caps = profile.capabilities
    if cell.response_type not in caps.response_types or cell.response_mode not in caps.response_modes:
        return f"profile {profile.name} does not test {cell.id} (capabilities)"
    return unadvertised_reason(provider.discovery, cell.response_type, cell.response_mode)


@pytest.fixture
def any_case(profile: Profile, provider: ProviderMetadata) -> FlowCase:
    """One usable cell, for requirements that do not depend on the response type or mode."""
    for cell in cases():
        if _usable(cell, profile, provider) is None:
            return cell
    pytest.skip(f"profile {profile.name} and the tenant have no response type x mode in common")


def _authorizer(request: pytest.FixtureRequest, page_factory: Any) -> Authorizer:
    authorizer = Authorizer(
        request.getfixturevalue("target"),
        request.getfixturevalue("provider"),
        request.getfixturevalue("authorize_flow"),
        page_factory,
    )
    request.node.stash[EVIDENCE_KEY] = authorizer
    return authorizer


#: pytest-playwright's options that record per-test browser artifacts (a trace, a video, a
#: screenshot): asked for, every test gets its own context, as pytest-playwright makes them.
_PER_TEST_ARTIFACTS = ("--tracing", "--video", "--screenshot")


def _own_context(item: pytest.Item) -> bool:
    """A test gets a browser context of its own when it judges the session (SESS-*: prompt,
    max_age, re-authentication) or when per-test browser artifacts are asked for."""
    config = item.config
    return item.get_closest_marker("session") is not None or any(
        config.getoption(option, "off") != "off" for option in _PER_TEST_ARTIFACTS)


#: Fixtures whose clock starts with the worker's browser session (their session fixtures), when a
#: collected test asks for one: the test runs last and waits only for what is left of its time.
HEAD_STARTS = {"code_exchanged_at_start": "worker_code_exchanged_at_start"}


def _head_starts(item: pytest.Item) -> list[str]:
    return [HEAD_STARTS[name] for name in HEAD_STARTS if name in getattr(item, "fixturenames", ())]


@dataclass(frozen=True)
class ExchangedAtStart:
    """A flow whose code was exchanged when the worker's browser session began, and when."""

    flow: SharedFlow
    exchanged_at: float


@pytest.fixture(scope="session")
def worker_code_exchanged_at_start(
    pytestconfig: pytest.Config, browser: Any, sso_storage_state: dict, target: Target, provider: ProviderMetadata,
    authorize_flow: AuthorizeFlow, tokens: TokenClient,
) -> Iterator[ExchangedAtStart]:
    """SESS-9's code (any usable cell, main client), exchanged at the start of the worker (a head start)."""
    cell = next((c for c in cases() if _usable(c, target.profile, provider) is None), None)
    page = session.WorkerPage(browser, sso_storage_state)
    authorizer = Authorizer(target, provider, authorize_flow, page.reset)
    pytestconfig.stash.setdefault(WORKER_EVIDENCE_KEY, []).append(authorizer)
    try:
        flow = SharedFlow(authorizer(cell))
        if "code" in flow.authorization.params:
            flow.tokens = _exchange(tokens, flow.authorization, "main")
        yield ExchangedAtStart(flow, time.time())
    finally:
        page.close()


@pytest.fixture
def code_exchanged_at_start(request: pytest.FixtureRequest,
                            worker_code_exchanged_at_start: ExchangedAtStart) -> ExchangedAtStart:
    """The worker's head-start flow (:data:`HEAD_STARTS`), in this test's evidence."""
    _judged(request, worker_code_exchanged_at_start.flow)
    return worker_code_exchanged_at_start


@pytest.fixture(scope="session")
def worker_pages(request: pytest.FixtureRequest, browser: Any,
                 sso_storage_state: dict) -> Iterator[dict[bool, session.WorkerPage]]:
    """The worker's reused pages, with the SSO session (True) and without (False); the
    worker's browser session begins here, and with it the clocks of :data:`HEAD_STARTS`."""
    for name in sorted({name for item in request.session.items for name in _head_starts(item)}):
        request.getfixturevalue(name)
    pages = {True: session.WorkerPage(browser, sso_storage_state), False: session.WorkerPage(browser)}
    yield pages
    for page in pages.values():
        page.close()


def _page_factory(request: pytest.FixtureRequest, with_session: bool) -> Any:
    if not _own_context(request.node):
        return request.getfixturevalue("worker_pages")[with_session].reset
    new_context = request.getfixturevalue("new_context")
    state = request.getfixturevalue("sso_storage_state") if with_session else None
    return lambda: new_context(storage_state=state).new_page()


# ``browser`` in the signatures below: a test that reaches the browser only at run time escapes
# pytest-playwright's ``browser_name`` parametrisation, and its cache key then tears down the
# worker's browser and SSO session (a second login, a second pre-flight) mid-run.


@pytest.fixture
def authorize(request: pytest.FixtureRequest, browser: Any) -> Authorizer:
    """Run authorization requests in a browser that has the worker's SSO session."""
    return _authorizer(request, _page_factory(request, with_session=True))


@pytest.fixture
def fresh_authorize(request: pytest.FixtureRequest, browser: Any) -> Authorizer:
    """Run authorization requests in a browser with no session (login shown)."""
    return _authorizer(request, _page_factory(request, with_session=False))


def _req_id(request: pytest.FixtureRequest) -> str:
    return request.node.get_closest_marker("req").args[0]


def _completed(response: AuthorizationResponse, exchanged: Callable[[], TokenResponse], req_id: str) -> CompletedFlow:
    """The preconditions of a test that reads a completed flow, each under the test's requirement ID."""
    check_flow_succeeded(response, req_id)
    flow = CompletedFlow(response, exchanged())
    check_completed_flow_usable(flow, req_id)
    return flow


def _exchange(tokens: TokenClient, response: AuthorizationResponse, client: str) -> TokenResponse:
    return tokens.exchange(response.params["code"], response.request.redirect_uri, client=client,
                           code_verifier=response.request.code_verifier)


@pytest.fixture
def complete(request: pytest.FixtureRequest, authorize: Authorizer, tokens: TokenClient) -> Any:
    """``complete(case, **overrides)``: authorize (SSO session) and exchange the code.

    A flow that does not reach the client, or returns a malformed ID token or token
    response, fails the test under its own requirement ID, as a precondition, with the
    evidence attached.
    """
    req_id = _req_id(request)

    def run(case: FlowCase | None = None, *, client: str = "main", **overrides: Any) -> CompletedFlow:
        response = authorize(case, client=client, **overrides)
        return _completed(response, lambda: _exchange(tokens, response, client), req_id)

    return run


@pytest.fixture(scope="session")
def shared_flows(pytestconfig: pytest.Config, target: Target, provider: ProviderMetadata,
                 authorize_flow: AuthorizeFlow, tokens: TokenClient,
                 worker_pages: dict[bool, session.WorkerPage]) -> SharedFlows:
    """The worker's flows that tests only read (:mod:`hybridcheck.shared_flows`)."""
    kept = pytestconfig.stash.setdefault(WORKER_EVIDENCE_KEY, [])

    def authorizer(with_session: bool) -> Authorizer:
        kept.append(Authorizer(target, provider, authorize_flow, worker_pages[with_session].reset))
        return kept[-1]

    return SharedFlows(authorizer, lambda response, client: _exchange(tokens, response, client))


def _judged(request: pytest.FixtureRequest, flow: SharedFlow) -> SharedFlow:
    judged = request.node.stash.setdefault(SHARED_EVIDENCE_KEY, [])
    if flow not in judged:
        judged.append(flow)
    return flow


@pytest.fixture
def shared_authorize(request: pytest.FixtureRequest, shared_flows: SharedFlows) -> Any:
    """``shared_authorize(case, *, client="main", with_session=True, **overrides)``: the response
    to that request as this worker's first test to ask for it got it (one flow, many checks)."""

    def run(case: FlowCase | None = None, **shape: Any) -> AuthorizationResponse:
        return _judged(request, shared_flows.authorization(case, **shape)).authorization

    return run


@pytest.fixture
def shared_complete(request: pytest.FixtureRequest, shared_flows: SharedFlows) -> Any:
    """``shared_complete(case, *, client="main", **overrides)``: :func:`complete`'s flow, shared
    like :func:`shared_authorize`'s; the preconditions are still judged under this test's ID."""
    req_id = _req_id(request)

    def run(case: FlowCase | None = None, *, client: str = "main", **overrides: Any) -> CompletedFlow:
        flow = _judged(request, shared_flows.authorization(case, client=client, **overrides))
        return _completed(flow.authorization, lambda: flow.tokens, req_id)

    return run
