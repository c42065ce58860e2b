"""Redaction: every transit form of a secret is replaced by a fingerprint marker."""

import hashlib
from urllib.parse import quote, quote_plus

from hybridcheck.redact import Redactor, fingerprint, part_marker

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
            scrubbed = redactor.scrub(" ".join(values[: index + 1]))
            assert all(v not in scrubbed for v in values[: index + 1])
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


TOKEN = "Zm9vYmFyLWJhei1xdXV4LWNvcmdlLWdyYXVsdC1nYXJwbHk"  # an opaque token, 47 characters


def test_a_pytest_truncated_value_leaves_no_piece_of_the_secret():
    """saferepr keeps the head and tail of a long value: a 20-character tail is redacted."""
    redactor = Redactor()
    redactor.add(TOKEN)
    shown = f"authorize = Authorizer(target='embedd...{TOKEN[-20:]}&iss=http%3A%2F%2F'>)"
    scrubbed = redactor.scrub(shown)
    assert scrubbed == f"authorize = Authorizer(target='embedd...{part_marker(TOKEN)}&iss=http%3A%2F%2F'>)"


def test_pieces_of_sixteen_characters_or_more_are_redacted_and_shorter_ones_kept():
    redactor = Redactor()
    redactor.add(TOKEN)
    scrubbed = redactor.scrub(f"<{TOKEN[5:21]}> <{TOKEN[30:45]}> <{TOKEN[:10]}...{TOKEN[-30:]}>")
    assert scrubbed == f"<{part_marker(TOKEN)}> <{TOKEN[30:45]}> <{TOKEN[:10]}...{part_marker(TOKEN)}>"


def test_a_piece_is_found_at_every_offset_and_length_however_it_sits_against_the_blocks():
    """Pieces are looked up from blocks at multiples of 8 in the secret: any 16 characters hold one."""
    redactor = Redactor()
    redactor.add(TOKEN)
    for start in range(len(TOKEN) - 16):
        for length in (15, 16, 17, 23):
            piece = TOKEN[start:start + length]
            expected = f"({part_marker(TOKEN)})" if len(piece) >= 16 else f"({piece})"
            assert redactor.scrub(f"({piece})") == expected, (start, length)


def test_a_whole_value_keeps_its_fingerprint_next_to_pieces():
    redactor = Redactor()
    redactor.add(TOKEN)
    assert redactor.scrub(f"{TOKEN} {TOKEN[1:-1]}") == f"{fingerprint(TOKEN)} {part_marker(TOKEN)}"


def test_pieces_of_encoded_forms_are_redacted():
    redactor = Redactor()
    redactor.add(SECRET)  # 26 characters with "/", "+", "=", "&"
    encoded = quote(SECRET, safe="")
    assert redactor.scrub(f"x{encoded[3:-2]}x") == f"x{part_marker(SECRET)}x"


def test_only_the_signature_of_a_jwt_counts_for_pieces():
    redactor = Redactor()
    redactor.add(JWT)
    header_and_claims, signature = JWT.rsplit(".", 1)
    scrubbed = redactor.scrub(f"{header_and_claims[:30]}... ...{signature[-18:]}")
    assert scrubbed == f"{header_and_claims[:30]}... ...{part_marker(signature)}"


def test_pieces_are_found_in_a_large_text_of_many_secrets():
    """Thousands of secrets and a megabyte of text: every piece found, nothing else touched."""
    redactor = Redactor()
    tokens = [hashlib.sha256(str(index).encode()).hexdigest() for index in range(2000)]
    for token in tokens:
        redactor.add(token)
    filler = "ordinary report text, no secret in it; " * 25
    text = "".join(f"{filler}{token[2:-3]}|" for token in tokens)
    scrubbed = redactor.scrub(text)
    assert scrubbed == "".join(f"{filler}{part_marker(token)}|" for token in tokens)


def test_a_periodic_secret_in_a_periodic_text_is_one_piece():
    """The worst case for overlapping matches: windows at every position, merged into one run."""
    redactor = Redactor()
    redactor.add("ab" * 20 + "-tail")
    text = "ab" * 10_000
    assert redactor.scrub(text) == part_marker("ab" * 20 + "-tail")
