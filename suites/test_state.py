"""STATE-1..2: ``state`` is echoed byte for byte and never invented (OAuth §4.1.2).

STATE-3 (every error response carries the state) runs on every provoked error: ``test_error_responses.py``.
"""

import pytest

from hybridcheck.checks.state import check_no_state_returned, check_state_echoed

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
