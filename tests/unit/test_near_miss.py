"""Near-miss redirect URIs (RURI-2): derived from every registered URI that matters, never a registered one."""

from __future__ import annotations

from hybridcheck.near_miss import near_misses

FIRST = "http://localhost:8765/callback"
WITH_QUERY = "http://localhost:8765/callback/second?tenant=local"
OTHER = "http://localhost:8765/other"


def by_id(registered: list[str], others: list[str] = ()) -> dict[str, str | None]:  # type: ignore[assignment]
    return {v.id: v.uri for v in near_misses(registered, others)}


def test_query_variants_come_from_the_uri_with_a_query_in_any_position() -> None:
    variants = by_id([FIRST, WITH_QUERY])
    assert variants["query-removed"] == "http://localhost:8765/callback/second"
    assert variants["query-changed"] == "http://localhost:8765/callback/second?tenant=local-changed"
    assert variants["query-extended"] == WITH_QUERY + "&x=1"
    assert variants["trailing-slash-added"] == FIRST + "/"  # the rest from the first URI
    assert by_id([WITH_QUERY, FIRST])["query-removed"] == "http://localhost:8765/callback/second"


def test_without_a_registered_query_there_are_no_query_variants() -> None:
    assert not {"query-removed", "query-changed", "query-extended"} & set(by_id([FIRST]))


def test_another_clients_uri_and_a_missing_one_are_misses() -> None:
    variants = by_id([FIRST], [OTHER])
    assert variants["other-client"] == OTHER
    assert "missing" in variants and variants["missing"] is None
    assert "other-client" not in by_id([FIRST, OTHER], [OTHER])  # registered for this client too: no miss


def test_no_variant_is_registered_or_repeated() -> None:
    registered = [FIRST, WITH_QUERY, FIRST + "/"]
    uris = [v.uri for v in near_misses(registered, [OTHER]) if v.uri is not None]
    assert not set(uris) & set(registered) and len(uris) == len(set(uris))
    assert len({v.id for v in near_misses(registered, [OTHER])}) == len(near_misses(registered, [OTHER]))


def test_the_other_port_is_one_no_registered_uri_uses():
    registered = ["http://127.0.0.1:8765/callback", "http://127.0.0.1:8766/callback"]
    other_port = next(v for v in near_misses(registered) if v.id == "other-port")
    assert other_port.uri == "http://127.0.0.1:8767/callback"
