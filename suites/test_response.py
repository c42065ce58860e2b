"""RESP-1..5: what the authorization response carries and how it is delivered (Core §3.3.2.5, MRT, FP)."""

import pytest

from hybridcheck.checks.response import (
    check_delivered_by_mode,
    check_error_response_shape,
    check_form_post_not_cached,
    check_query_mode_refused,
    check_response_components,
    check_response_type_error,
)


@pytest.mark.smoke
@pytest.mark.req("RESP-1")
@pytest.mark.oidf("oidcc-server")
def test_response_has_exactly_the_requested_credentials(case, authorize):
    check_response_components(authorize(case))


@pytest.mark.req("RESP-1")
def test_no_refresh_token_in_the_front_channel_even_with_offline_access(case, authorize):
    check_response_components(authorize(case, scope="openid profile offline_access"))


@pytest.mark.req("RESP-2")
@pytest.mark.oidf("oidcc-server")
def test_response_is_delivered_by_the_mode_asked(case, authorize):
    check_delivered_by_mode(authorize(case))


@pytest.mark.req("RESP-2")
@pytest.mark.matrix(modes=["form_post"])
def test_form_post_page_is_not_cacheable(case, authorize):
    check_form_post_not_cached(authorize(case))


@pytest.mark.req("RESP-3")
@pytest.mark.matrix(modes=["fragment"])
def test_hybrid_response_defaults_to_the_fragment(case, authorize):
    check_delivered_by_mode(authorize(case, response_mode=None))


@pytest.mark.negative
@pytest.mark.req("RESP-4")
@pytest.mark.matrix(modes=["fragment"])
def test_query_mode_is_refused_for_token_bearing_response_types(case, authorize):
    check_query_mode_refused(authorize(case, response_mode="query"))


@pytest.mark.negative
@pytest.mark.req("RESP-5")
@pytest.mark.oidf("oidcc-response-type-missing")
@pytest.mark.parametrize(
    "response_type",
    [None, "code id_token unknown_value", "id_token code garbage", "tokenx"],
    ids=["missing", "unknown-value", "unknown-value-reordered", "unknown"],
)
def test_missing_or_unsupported_response_type_is_an_error(response_type, authorize):
    check_response_type_error(authorize(response_type=response_type))


@pytest.mark.req("RESP-1")
@pytest.mark.matrix(modes=["fragment"])
def test_response_type_value_order_does_not_matter(case, authorize):
    """MRT §3: a response type is a set; ``token code`` asks the same as ``code token``."""
    reordered = " ".join(reversed(case.response_type.split()))
    check_response_components(authorize(case, response_type=reordered))


@pytest.mark.negative
@pytest.mark.req("RESP-7")
@pytest.mark.parametrize("scenario", ["prompt-none-without-session", "nonce-missing"])
def test_error_response_has_only_the_allowed_parameters(case, fresh_authorize, profile, scenario):
    """Two errors every tenant redirects to the client: login_required, and a missing nonce."""
    if scenario == "nonce-missing" and not case.has_id_token:
        pytest.skip("nonce is optional for response types without id_token")
    if scenario == "prompt-none-without-session" and not profile.capabilities.prompt_none:
        pytest.skip(f"profile {profile.name} says the tenant does not support prompt=none")
    overrides = {"prompt": "none"} if scenario == "prompt-none-without-session" else {"nonce": None}
    check_error_response_shape(fresh_authorize(case, **overrides))
