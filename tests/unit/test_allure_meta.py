"""Allure's extras: categories a nightly reader tells apart, readable names, severities, spec links."""

from __future__ import annotations

import re

import pytest

from hybridcheck import allure_meta
from hybridcheck.requirements import catalogue


def _category(status: str, message: str) -> str | None:
    """The first category Allure would put a result in (it takes the first that matches)."""
    for category in allure_meta.CATEGORIES:
        regex = category.get("messageRegex")
        if status in category["matchedStatuses"] and (regex is None or re.fullmatch(regex, message)):
            return category["name"]
    return None


@pytest.mark.parametrize("status, message, expected", [
    ("failed", "RequirementFailure: [IDT-3] c_hash equals ...\n  expected: a", "Conformance failure"),
    ("skipped", "XFAIL known deviation TOK-1 (test '*x*'): Auth0 answers 403", "Known deviation"),
    ("failed", "[XPASS(strict)] known deviation IDT-3 (RM 'form_post'): fixed", "Known deviation fixed: remove the entry"),
    ("broken", "Exit: pre-flight: tenant https://t/ is misconfigured: ...", "Tenant unavailable or misconfigured"),
    ("broken", "POST https://t/userinfo answered HTTP 429", "Rate limited"),
    ("skipped", "profile local-auth0 claims no refresh tokens", "Not applicable to this tenant"),
    ("broken", "TypeError: boom", "Broken test or suite error"),
])
def test_a_result_lands_in_the_category_a_reader_expects(status, message, expected) -> None:
    assert _category(status, message) == expected


def test_titles_are_cut_at_a_word_never_inside_one() -> None:
    long = catalogue()["IDT-2"].title
    short = allure_meta.title(long, 60)
    assert len(short) <= 60 and short.endswith(" …") and long.startswith(short.removesuffix(" …"))


def test_spec_links_point_at_the_sections_named() -> None:
    links = dict(allure_meta.spec_links("OAuth §4.1.2.1; Core §3.3.2.11; RFC 9207 §2; Auth0 docs"))
    assert links["https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1"] == "OAuth §4.1.2.1"
    assert links["https://openid.net/specs/openid-connect-core-1_0.html"] == "Core §3.3.2.11"
    assert links["https://www.rfc-editor.org/rfc/rfc9207#section-2"] == "RFC 9207 §2"
    assert len(links) == 3  # Auth0's docs have no section to link


def test_every_family_has_a_name_and_auth0_expectations_are_not_critical() -> None:
    known = catalogue().values()
    assert {req.family for req in known} <= set(allure_meta.FAMILY_NAMES)
    assert allure_meta.severity(catalogue()["REF-2"]) == "normal"
    assert allure_meta.severity(catalogue()["IDT-3"]) == "critical"


def test_the_executor_names_the_ci_run() -> None:
    env = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "team/idp", "GITHUB_RUN_NUMBER": "7"}
    assert allure_meta.executor(env)["url"] == "https://github.com/team/idp/actions/runs/42"
    assert allure_meta.executor({})["type"] == "local"
