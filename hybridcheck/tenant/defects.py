"""The defects of the reference tenant: named switches that break one requirement each.

The tenant is correct by default. Each defect turns one rule off (or wrong) so the suite
can prove it notices: the switch is checked at exactly one place in the tenant code, via
``TenantConfig.has_defect(<name>)``, so ``grep`` finds it. ``requirement`` is an ID of
``docs/requirements.md`` (mirrored in ``hybridcheck/data/requirements.json``).

Defects come from ``TenantConfig.defects``, from ``--defects`` of ``python -m
hybridcheck.tenant``, or from the ``HYBRIDCHECK_DEFECTS`` environment variable
(comma-separated names).
"""

from __future__ import annotations

from dataclasses import dataclass

from hybridcheck.tenant.switches import SwitchRegistry, UnknownSwitchError


@dataclass(frozen=True)
class Defect:
    """One way the tenant can be wrong on purpose."""

    name: str
    requirement: str  # requirement ID the defect violates, e.g. "IDT-3"
    description: str  # one line: what the tenant does wrong


class UnknownDefectError(UnknownSwitchError):
    """A defect name that is not in :data:`DEFECTS`; the message lists the known names."""


_ALL = (
    # ID token hashes (Core §3.3.2.11)
    Defect("c_hash_full_digest", "IDT-3", "c_hash is base64url of the full SHA-256 digest, not its left half"),
    Defect("c_hash_sha512", "IDT-3", "c_hash uses SHA-512 (left half) though the ID token is RS256"),
    Defect("at_hash_missing_code_id_token_token", "IDT-4",
           "no at_hash in the front-channel ID token of `code id_token token`"),
    # state (OAuth §4.1.2, §4.1.2.1)
    Defect("state_not_echoed", "STATE-1", "state left out of successful responses"),
    Defect("state_double_decoded", "STATE-1", "state URL-decoded a second time before echoing (%41 comes back as A)"),
    Defect("state_truncated_255", "STATE-1", "state cut to 255 characters"),
    Defect("error_without_state", "STATE-3", "error responses redirected to the client omit state"),
    Defect("state_invented", "STATE-2", "a state value is returned even when none was sent"),
    # nonce (Core §3.3.2.11, §3.1.3.6)
    Defect("nonce_not_echoed", "NONCE-1", "front-channel ID token lacks nonce"),
    Defect("nonce_only_token_endpoint", "NONCE-1",
           "nonce only in the token-endpoint ID token (front-channel lacks it)"),
    Defect("nonce_not_required", "NONCE-2", "response type with id_token and no nonce is answered with success"),
    Defect("token_endpoint_nonce_dropped", "NONCE-3", "token-endpoint ID token lacks nonce"),
    # redirect URI (OAuth §3.1.2)
    Defect("redirect_uri_prefix_match", "RURI-2", "redirect_uri accepted when a registered URI is a prefix of it"),
    Defect("redirect_uri_trailing_slash_insensitive", "RURI-2", "redirect_uri matched ignoring a trailing slash"),
    Defect("redirect_uri_path_case_insensitive", "RURI-2", "redirect_uri path compared case-insensitively"),
    Defect("redirect_uri_query_ignored", "RURI-2", "redirect_uri query ignored when matching"),
    Defect("redirect_uri_port_ignored", "RURI-2", "redirect_uri port ignored when matching"),
    Defect("redirect_uri_scheme_ignored", "RURI-2", "redirect_uri scheme ignored when matching (http for https)"),
    Defect("redirect_uri_subdomain_wildcard", "RURI-2", "any subdomain of a registered host matches"),
    Defect("redirect_uri_userinfo_accepted", "RURI-2", "userinfo in the redirect_uri authority ignored when matching"),
    Defect("redirect_uri_dot_segments_normalised", "RURI-2", "dot-segments removed before matching the redirect_uri"),
    Defect("wildcard_matches_any_depth", "RURI-4",
           "a wildcard callback's '*' also matches several labels (https://*.example.com takes a.b.example.com)"),
    Defect("wildcard_matches_bare_domain", "RURI-4",
           "a wildcard callback also matches its bare parent domain (https://*.example.com takes example.com)"),
    Defect("redirect_uri_mismatch_redirects_error", "RURI-3",
           "an unregistered redirect_uri still gets the response (code included) instead of an error page"),
    Defect("error_response_with_code", "RESP-7", "error responses redirected to the client also carry a code"),
    Defect("error_description_unescaped", "RESP-7", "error_description quoted and ending in a newline (characters RFC 6749 forbids)"),
    Defect("refresh_id_token_new_auth_time", "REF-3", "a refreshed ID token carries a new auth_time instead of the original"),
    Defect("registered_query_dropped", "RURI-1", "a registered redirect_uri's query is dropped from the response URL"),
    Defect("missing_redirect_uri_uses_first", "RURI-2", "no redirect_uri with several registered: the first one is used"),
    Defect("client_secret_unchecked", "TOK-4", "token endpoint accepts any client secret"),
    Defect("token_endpoint_other_sub", "IDT-5", "token-endpoint ID token has another sub than the front-channel one"),
    Defect("audience_ignored", "TOK-5", "audience ignored: the token-endpoint access token is opaque"),
    Defect("rotation_reuse_undetected", "REF-6", "reuse of a rotated-out refresh token is not detected"),
    Defect("fragment_kept_in_redirect_uri", "FRAG-1",
           "a '#fragment' in redirect_uri is kept and response values appended into it"),
    # refresh (OAuth §6)
    Defect("refresh_scope_escalation", "REF-5", "refresh with a scope not originally granted grants it"),
    Defect("refresh_without_scope_reduction", "REF-4", "reduced refresh scope ignored, original scope granted"),
    Defect("refresh_token_without_offline_access", "REF-2", "refresh_token issued without offline_access"),
    # ID token claims and signature (Core §2, §3.1.3.7)
    Defect("iss_without_trailing_slash", "IDT-2", "ID token iss lacks the trailing slash"),
    Defect("aud_list_without_azp", "IDT-2", "ID token aud is a list [client_id, other] and has no azp"),
    Defect("id_token_expired", "IDT-2", "ID token exp is in the past"),
    Defect("kid_not_in_jwks", "DISC-3", "ID token kid names no JWKS key"),
    Defect("alg_none_id_token", "IDT-1", "front-channel ID token is unsigned, alg none"),
    Defect("id_token_wrong_key", "IDT-1", "ID token signed with a key not in the JWKS but with a JWKS kid"),
    Defect("auth_time_missing", "SESS-4", "no auth_time claim in ID tokens"),
    Defect("custom_claim_missing", "IDT-6", "configured ID-token custom claims not added"),
    Defect("scope_claims_missing", "SESS-6", "email scope yields no email claim"),
    Defect("userinfo_sub_mismatch", "TOK-6", "UserInfo answers a sub other than the ID token's (Core §5.3.2)"),
    # discovery (Discovery §3, §4.3)
    Defect("discovery_issuer_mismatch", "DISC-1", "discovery `issuer` lacks the trailing slash"),
    # authorization response (Core §3.3.2.5, MRT §2.1, §5, FP §2)
    Defect("refresh_token_in_front_channel", "RESP-1",
           "a refresh_token appears in the authorization response when offline_access is asked"),
    Defect("access_token_in_code_id_token", "RESP-1", "`code id_token` also returns an access_token"),
    Defect("expires_in_not_seconds", "RESP-1", 'front-channel expires_in is "86400s", not a number of seconds'),
    Defect("token_type_garbage", "RESP-1", 'front-channel token_type is "bearerish"'),
    Defect("form_post_as_query", "RESP-2", "form_post asked, response delivered by 302 with query instead"),
    Defect("form_post_cacheable", "RESP-2", "form_post page lacks Cache-Control no-store"),
    Defect("hybrid_default_query", "RESP-3", "without response_mode, hybrid responses use the query"),
    Defect("query_mode_tokens_allowed", "RESP-4",
           "response_mode=query honoured for token-bearing response types (tokens in query)"),
    Defect("missing_response_type_accepted", "RESP-5", "no response_type treated as `code id_token` success"),
    Defect("authorization_response_iss_wrong", "RESP-6",
           "with authorization_response_iss on, the response's iss lacks the issuer's trailing slash"),
    # session and request parameters (Core §3.1.2.1)
    Defect("prompt_none_shows_login", "SESS-1", "prompt=none without session shows the login page"),
    Defect("prompt_none_ignores_session", "SESS-2", "prompt=none with a session still answers login_required"),
    Defect("prompt_login_ignored", "SESS-3", "prompt=login reuses the session without login"),
    Defect("max_age_ignored", "SESS-4", "max_age never forces re-authentication"),
    Defect("unknown_param_rejected", "SESS-5", "an unknown authorization parameter gives invalid_request"),
    Defect("claims_parameter_ignored", "SESS-7",
           "the claims parameter is accepted but ignored: requested claims appear only by scope"),
    Defect("request_object_ignored", "SESS-8",
           "request / request_uri are ignored and the outer query parameters used instead"),
    # token endpoint (OAuth §4.1.3, §10.5)
    Defect("code_reuse_allowed", "TOK-3", "a code can be exchanged twice"),
    Defect("code_replay_allowed_after_30s", "SESS-9",
           "a code replayed more than 30 s after its first use is accepted (replays within 30 s are refused)"),
    Defect("token_redirect_uri_unchecked", "TOK-2", "token endpoint ignores redirect_uri"),
    # token endpoint responses and errors, UserInfo, refresh (issue 15: OAuth §4.1.3, §5, §6; RFC 6750 §3; RFC 7636)
    Defect("token_errors_403", "TOK-1",
           "token-endpoint errors answered 403 instead of 400 (as Auth0 answers invalid_grant); "
           "invalid_client and invalid_scope, whose status TOK-4 and REF-5 judge, keep theirs"),
    Defect("token_error_not_json", "TOK-1", "token-endpoint errors are a text/plain line, not a JSON object"),
    Defect("refresh_response_cacheable", "TOK-1", "refresh responses lack Cache-Control: no-store"),
    Defect("expires_in_string", "TOK-1", 'token-endpoint expires_in is a JSON string ("86400"), not a number'),
    Defect("token_endpoint_redirect_uri_case_insensitive", "TOK-2",
           "token endpoint compares redirect_uri case-insensitively"),
    Defect("token_endpoint_redirect_uri_query_ignored", "TOK-2", "token endpoint ignores the query of redirect_uri"),
    Defect("token_endpoint_redirect_uri_percent_decoded", "TOK-2",
           "token endpoint percent-decodes redirect_uri before comparing"),
    Defect("basic_auth_401_without_www_authenticate", "TOK-4",
           "a failed client_secret_basic authentication gets 401 without WWW-Authenticate"),
    Defect("wrong_secret_accepted_on_refresh", "TOK-4", "a wrong client secret is accepted with grant_type=refresh_token"),
    Defect("userinfo_front_channel_token_refused", "TOK-6",
           "UserInfo refuses access tokens issued by the authorization endpoint"),
    Defect("userinfo_invalid_token_200", "TOK-6", "UserInfo answers an access token it never issued with HTTP 200"),
    Defect("userinfo_invalid_token_without_www_authenticate", "TOK-6",
           "UserInfo refuses an invalid access token without a WWW-Authenticate challenge"),
    Defect("userinfo_not_json", "TOK-6", "UserInfo claims sent as text/plain"),
    Defect("pkce_downgrade_accepted", "TOK-7", "a code_verifier is accepted for a code issued without a code_challenge"),
    Defect("refresh_reduced_scope_ignored_by_userinfo", "REF-4",
           "a reduced-scope refresh says the reduced scope, but its access token has the original one"),
    Defect("refresh_escalation_200_silent_drop", "REF-5",
           "an escalated refresh scope gets HTTP 200 with the extra scope silently left out"),
    # issue 15, authorization and error responses (RESP-2, RESP-6..8, STATE-3), redirect URIs (RURI-2)
    Defect("duplicate_state_parameter", "RESP-8", "every response carries state twice (same value)"),
    Defect("duplicate_code_parameter", "RESP-8", "a decoy code precedes the real one in successful responses"),
    Defect("code_in_tenant_hop_query", "RESP-2",
           "fragment mode: the browser first goes through a tenant hop carrying the code in its query"),
    Defect("error_without_state_unsupported_response_type", "STATE-3",
           "unsupported_response_type errors omit state (other errors keep it)"),
    Defect("error_by_fragment_for_form_post", "RESP-7", "errors to a form_post request come back in the fragment"),
    Defect("error_response_iss_wrong", "RESP-6",
           "error responses carry the authorization endpoint's URL as iss (successes the issuer)"),
    Defect("missing_redirect_uri_accepted_single", "RURI-2",
           "no redirect_uri with a single one registered: that one is used"),
    Defect("other_client_redirect_uri_accepted", "RURI-2", "any client's registered redirect_uri is accepted"),
    # issue 15, every ID token (IDT-1, -2, -4, -5, REF-3), auth_time (SESS-4), claim sources (SESS-6),
    # nonce shapes (NONCE-1), keys (DISC-3)
    Defect("token_endpoint_id_token_bad_signature", "IDT-1",
           "the token-endpoint ID token is signed by a key not in the JWKS (the front channel's is fine)"),
    Defect("token_endpoint_id_token_wrong_aud", "IDT-2",
           "the token-endpoint ID token's aud adds an audience the client does not trust (azp = client)"),
    Defect("id_token_exp_before_iat", "IDT-2", "ID tokens are issued already expired: exp one second before iat"),
    Defect("id_token_iat_stale", "IDT-2", "ID tokens claim to be issued an hour ago"),
    Defect("id_token_nbf_future", "IDT-2", "ID tokens carry an nbf an hour in the future"),
    Defect("token_endpoint_at_hash_wrong", "IDT-4",
           "token-endpoint and refresh ID tokens carry an at_hash of no access token"),
    Defect("sub_changes_between_flows", "IDT-5", "the same user gets a new sub in every authorization"),
    Defect("refresh_id_token_replayed", "REF-3", "a refresh hands back the code exchange's ID token again"),
    Defect("refresh_id_token_wrong_sub", "REF-3", "the refresh ID token names another sub"),
    Defect("auth_time_missing_token_endpoint", "SESS-4", "the token-endpoint ID token lacks auth_time"),
    Defect("front_channel_claim_wrong", "SESS-6", "the front-channel ID token carries a wrong email"),
    Defect("token_endpoint_claim_wrong", "SESS-6", "the token-endpoint ID token carries a wrong email"),
    Defect("nonce_mangled_long", "NONCE-1", "a front-channel nonce longer than 255 characters is cut to 255"),
    Defect("jwks_two_keys_one_without_kid", "DISC-3", "of the JWKS's two keys, the second has no kid"),
)

#: The registry (:class:`~hybridcheck.tenant.switches.SwitchRegistry`): name → :class:`Defect`.
DEFECTS: SwitchRegistry[Defect] = SwitchRegistry("defect", "HYBRIDCHECK_DEFECTS", _ALL, UnknownDefectError)
ENV_VAR = DEFECTS.env_var

#: A comma-separated list of names (``None`` or blank: none); :class:`UnknownDefectError`
#: names every unknown one and lists the known ones.
parse_defects = DEFECTS.parse
#: The defects named in ``HYBRIDCHECK_DEFECTS`` (none when unset).
defects_from_env = DEFECTS.from_env
#: ``names`` as a frozenset, or :class:`UnknownDefectError`.
check_known = DEFECTS.check_known
