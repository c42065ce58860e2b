// Settings "stock": oidc-provider as the library ships it. The launcher (server.mjs) adds only
// what the suite cannot run without (clients, account, claims of the standard scopes, one
// signing key, the two hybrid response types, the http-loopback redirect URI hook); this module
// adds nothing on top. Every other option, oidc-provider's default. See README.md, "Settings".

export const description = 'oidc-provider at its defaults (only what the suite needs to run)';

/** Client metadata beyond the launcher's (none: application_type stays the default, web). */
export const clientMetadata = {};

/** Provider options beyond the launcher's (none). */
export function configuration() {
  return {};
}
