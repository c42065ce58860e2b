"""Run beside the suite by the secret-scan test (``-p tests.e2e.leak_probe`` and its path).

A failure that is not a finding, the way a plain ``assert`` in any test fails: pytest shows the
response's parameters shortened (``{'code': 'Xy…', …'…tail'}``), so pieces of secrets reach
junit.xml, report.html and Allure, where only the partial scrub can remove them. Not collected
on its own (no ``test_`` prefix).
"""

from collections.abc import Generator
from pathlib import Path

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Generator[None, None, None]:
    """Before the plugin selects by ``--req``: give the probe the requirement property it gives suite tests."""
    for item in items:
        if item.path == Path(__file__):
            item.user_properties.extend(("requirement", req) for m in item.iter_markers("req") for req in m.args)
    return (yield)


@pytest.mark.req("IDT-3")
def test_a_plain_assertion_shows_shortened_response_values(authorize):
    response = authorize()
    assert "no-such-parameter" in response.params
