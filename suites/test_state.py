"""STATE-1..3: ``state`` is echoed byte for byte, never invented, and kept on errors (OAuth §4.1.2)."""

import pytest

from hybridcheck.checks.state import check_error_carries_state, check_no_state_returned, check_state_echoed

STATE_VALUES = {
    "plain": "xyzABC123",
    "space": "state with spaces",
    "ampersand-equals": "a=1&b=2",
    "plus": "one+two",
    "percent": "100%25%41",
    "hash": "before#after",
    "non-ascii": "zürich-東京-😀",
    "long-500": "L" * 250 + "0123456789" * 25,
    "html-special": 'x"></form><script>document.title="pwned"</script>\'&amp;<',
}


@pytest.mark.req("STATE-1")
@pytest.mark.oidf("oidcc-server")
@pytest.mark.parametrize("state", STATE_VALUES.values(), ids=STATE_VALUES.keys())
def test_state_is_echoed_exactly(case, authorize, state):
    check_state_echoed(authorize(case, state=state))


@pytest.mark.req("STATE-2")
def test_no_state_sent_means_no_state_returned(case, authorize):
    check_no_state_returned(authorize(case, state=None))


@pytest.mark.negative
@pytest.mark.req("STATE-3")
@pytest.mark.oidf("oidcc-prompt-none-not-logged-in")
def test_error_response_carries_the_state(case, fresh_authorize, profile):
    """An error redirected to the client: ``prompt=none`` without a session (login_required)."""
    if not profile.capabilities.prompt_none:
        pytest.skip(f"profile {profile.name} says the tenant does not support prompt=none")
    check_error_carries_state(fresh_authorize(case, prompt="none"))
