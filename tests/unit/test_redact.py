"""Redaction: every transit form of a secret is replaced by a fingerprint marker."""

from urllib.parse import quote, quote_plus

from hybridcheck.redact import Redactor, fingerprint

SECRET = "s3cr3t/with+odd=chars&more"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQtdGhhdC1pcy1sb25n"


def test_raw_and_encoded_forms_are_scrubbed():
    redactor = Redactor()
    redactor.add(SECRET)
    text = f"raw={SECRET} pct={quote(SECRET, safe='')} form={quote_plus(SECRET)}"
    scrubbed = redactor.scrub(text)
    assert SECRET not in scrubbed and quote(SECRET, safe="") not in scrubbed and quote_plus(SECRET) not in scrubbed
    assert scrubbed.count(fingerprint(SECRET)) == 3


def test_jwt_signature_alone_is_scrubbed_and_claims_stay_readable():
    redactor = Redactor()
    redactor.add(JWT)
    signature = JWT.rsplit(".", 1)[1]
    scrubbed = redactor.scrub(f"sig: {signature}; token: {JWT}")
    assert signature not in scrubbed and JWT not in scrubbed


def test_same_value_same_marker_different_value_different_marker():
    assert fingerprint("a-secret") == fingerprint("a-secret") != fingerprint("b-secret")


def test_short_and_empty_values_are_ignored():
    redactor = Redactor()
    redactor.add("")
    redactor.add(None)
    redactor.add("ab")
    assert redactor.scrub("ab cd") == "ab cd"


def test_secrets_added_between_scrubs_are_all_scrubbed_and_matchers_stay_logarithmic():
    """A run adds secrets flow by flow and scrubs in between: every one stays found."""
    redactor = Redactor()
    values = [f"token-{index:05d}-{'x' * (index % 7)}" for index in range(1000)]
    for index, value in enumerate(values):
        redactor.add(value)
        assert redactor.scrub(f"<{value}>") == f"<{fingerprint(value)}>"
        if index % 97 == 0:
            assert all(v not in redactor.scrub(" ".join(values[: index + 1])) for v in values[: index + 1])
    assert len(redactor._matchers) <= 12  # a binary counter over 4000 forms, not one per add


def test_longest_registered_form_wins_over_its_prefix():
    redactor = Redactor()
    for value in ("abcd", "other-1", "other-2"):
        redactor.add(value)
    redactor.scrub("")
    redactor.add("abcdefgh")
    redactor.scrub("")
    assert len(redactor._matchers) == 2  # "abcd" sits in an older automaton than the longer value
    assert redactor.scrub("abcdefgh abcd") == f"{fingerprint('abcdefgh')} {fingerprint('abcd')}"
