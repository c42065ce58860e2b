"""RESP-1..5, RESP-8: what the authorization response carries and how it is delivered (Core §3.3.2.5, MRT, FP).

Error responses (RESP-6, RESP-7, RESP-8 and STATE-3 on every provoked error): ``test_error_responses.py``.
"""

import pytest

from hybridcheck.checks.response import (
    check_delivered_by_mode,
    check_form_post_not_cached,
    check_no_repeated_parameters,
    check_query_mode_refused,
    check_response_components,
    check_response_type_error,
)


@pytest.mark.smoke
@pytest.mark.req("RESP-1")
@pytest.mark.oidf("oidcc-server")
def test_response_has_exactly_the_requested_credentials(case, shared_authorize):
    check_response_components(shared_authorize(case))


@pytest.mark.req("RESP-1")
def test_no_refresh_token_in_the_front_channel_even_with_offline_access(case, authorize):
    check_response_components(authorize(case, scope="openid profile offline_access"))


@pytest.mark.req("RESP-2")
@pytest.mark.oidf("oidcc-server")
def test_response_is_delivered_by_the_mode_asked(case, shared_authorize):
    check_delivered_by_mode(shared_authorize(case))


@pytest.mark.req("RESP-2")
@pytest.mark.matrix(modes=["form_post"])
def test_form_post_page_is_not_cacheable(case, shared_authorize):
    check_form_post_not_cached(shared_authorize(case))


@pytest.mark.req("RESP-3")
@pytest.mark.matrix(modes=["fragment"])
def test_hybrid_response_defaults_to_the_fragment(case, authorize):
    check_delivered_by_mode(authorize(case, response_mode=None))


@pytest.mark.negative
@pytest.mark.req("RESP-4")
@pytest.mark.matrix(modes=["fragment"])
def test_query_mode_is_refused_for_token_bearing_response_types(case, shared_authorize):
    check_query_mode_refused(shared_authorize(case, response_mode="query"))


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


@pytest.mark.req("RESP-8")
def test_each_response_parameter_appears_once(case, shared_authorize):
    """Judged on the raw fragment or form body: a dict made from it would hide a second copy."""
    check_no_repeated_parameters(shared_authorize(case))
