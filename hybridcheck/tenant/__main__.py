"""``python -m hybridcheck.tenant``: run the reference tenant alone until Ctrl-C.

Demo defaults: client ``hybridcheck-demo`` (a random secret, printed), callback
``http://127.0.0.1:8765/callback``, user ``tester@example.com`` (a random password,
printed), an API ``https://api.hybridcheck.test/`` and an organization ``org_demo``.
Defects come from ``--defects`` or ``HYBRIDCHECK_DEFECTS``. ``--auth0-limits`` enforces
Auth0's Authentication API rate limits (:mod:`hybridcheck.tenant.limits`);
``--authorization-response-iss`` adds RFC 9207 ``iss`` to authorization responses.
``--redirect-uri`` takes Auth0 wildcards too (``http://*.localhost:8765/callback``).
"""

from __future__ import annotations

import argparse
import secrets
import sys
import threading

from hybridcheck.tenant.config import ApiConfig, ClientConfig, TenantConfig, UserConfig
from hybridcheck.tenant.defects import ENV_VAR, UnknownDefectError, defects_from_env, parse_defects
from hybridcheck.tenant.server import start_tenant

DEMO_API = "https://api.hybridcheck.test/"
DEMO_CLAIM = "https://hybridcheck.test/role"
_LIMITS = "Auth0 Authentication API: 100 requests/s overall; /userinfo bursts of 10, then 5/min per user"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m hybridcheck.tenant",
                                     description="Run the hybridcheck reference OpenID Provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (default 8080)")
    parser.add_argument("--client-id", default="hybridcheck-demo")
    parser.add_argument("--client-secret", help="default: random, printed")
    parser.add_argument("--redirect-uri", action="append", dest="redirect_uris",
                        help="a registered callback URL (repeatable; default http://127.0.0.1:8765/callback)")
    parser.add_argument("--rotate-refresh-tokens", action="store_true")
    parser.add_argument("--auth0-limits", action="store_true",
                        help="enforce Auth0's rate limits: 100 requests/s overall, /userinfo 10 then 5/min per user")
    parser.add_argument("--authorization-response-iss", action="store_true",
                        help="send iss in every authorization response (RFC 9207)")
    parser.add_argument("--username", default="tester@example.com")
    parser.add_argument("--password", help="default: random, printed")
    parser.add_argument("--defects", help=f"comma-separated defect names (default: ${ENV_VAR})")
    return parser.parse_args(argv)


def demo_config(args: argparse.Namespace, defects: frozenset[str]) -> TenantConfig:
    """The configuration the flags describe."""
    client = ClientConfig(client_id=args.client_id, client_secret=args.client_secret,
                          redirect_uris=tuple(args.redirect_uris or ["http://127.0.0.1:8765/callback"]),
                          rotate_refresh_tokens=args.rotate_refresh_tokens)
    user = UserConfig(sub="auth0|hybridcheck-tester", username=args.username, password=args.password,
                      claims={"name": "Tess Tester", "nickname": "tess", "given_name": "Tess",
                              "family_name": "Tester", "email": args.username, "email_verified": True,
                              "phone_number": "+1 555 0100", "phone_number_verified": False,
                              "address": {"country": "NZ"}})
    return TenantConfig(clients=(client,), users=(user,),
                        apis=(ApiConfig(DEMO_API, scopes=("read:items", "write:items")),),
                        organizations=("org_demo",), id_token_claims={DEMO_CLAIM: "tester"},
                        access_token_claims={DEMO_CLAIM: "tester"}, defects=defects,
                        auth0_limits=args.auth0_limits, authorization_response_iss=args.authorization_response_iss,
                        host=args.host, port=args.port)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        defects = parse_defects(args.defects) if args.defects is not None else defects_from_env()
    except UnknownDefectError as error:
        print(error, file=sys.stderr)
        return 2
    args.client_secret = args.client_secret or secrets.token_urlsafe(24)
    args.password = args.password or secrets.token_urlsafe(12)
    try:
        config = demo_config(args, defects)
    except ValueError as error:  # a wildcard callback Auth0 would refuse
        print(error, file=sys.stderr)
        return 2
    tenant = start_tenant(config)
    client = tenant.config.clients[0]
    print(f"hybridcheck reference tenant — issuer {tenant.issuer}")
    print(f"  discovery      {tenant.issuer}.well-known/openid-configuration")
    print(f"  client_id      {client.client_id}")
    print(f"  client_secret  {client.client_secret}")
    print(f"  redirect_uris  {' '.join(client.redirect_uris)}")
    print(f"  user           {args.username} / {args.password}")
    print(f"  rate limits    {_LIMITS if args.auth0_limits else 'none'}")
    print(f"  defects        {', '.join(sorted(defects)) or 'none (correct tenant)'}")
    print("Ctrl-C stops it.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        tenant.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
