// Settings "auth0-like": the launcher's stock base plus choices that make oidc-provider behave
// like Auth0 where the specs leave room (offline_access without prompt=consent, auth_time in every
// ID token, no refresh rotation, ...). Profile: tenants/oidc-provider.toml. See README.md, "Settings".

import { randomBytes } from 'node:crypto';

export const description = 'oidc-provider configured to behave like Auth0 where the specs leave room';

export const clientMetadata = {
  application_type: 'web', // the default; never 'native': native loopback matching ignores the port (RFC 8252 §7.3)
  // Registration §2: auth_time in every ID token, not only when max_age is sent (the suite
  // compares auth_time before and after prompt=login / max_age). It also makes oidc-provider
  // refuse authorization requests without the openid scope.
  require_auth_time: true,
};

/**
 * OIDC Core §11: "the Authorization Server MUST ensure that the prompt parameter contains
 * consent unless other conditions for processing the request permitting offline access to
 * the requested resources are in place". oidc-provider drops `offline_access` from the
 * request scope (actions/authorization/scopes.js checkScope) unless prompt=consent. Our
 * "other condition": the client is registered for the refresh_token grant, the response
 * type returns a code, and the consent page (shown whenever offline_access is not yet in
 * the user's grant) covers it. prompt=none keeps the stock behaviour (dropped).
 *
 * Mechanism: an `extraParams` validator, which oidc-provider runs for every authorization
 * request after checkScope, "regardless of the parameter's presence" (documented for
 * assigning defaults). Keyed on `scope`, which is a standard parameter already.
 */
function keepOfflineAccess(ctx, scope, client) {
  if (ctx.oidc.route !== 'authorization') return;
  const raw = ctx.method === 'POST' ? ctx.oidc.body : ctx.query;
  const requested = String(raw?.scope ?? '').split(' ');
  const granted = scope ? scope.split(' ') : [];
  if (
    requested.includes('offline_access')
    && !granted.includes('offline_access')
    && String(ctx.oidc.params.response_type ?? '').split(' ').includes('code')
    && !ctx.oidc.prompts.has('none')
    && client?.grantTypeAllowed('refresh_token')
  ) {
    ctx.oidc.params.scope = [...granted, 'offline_access'].join(' ');
  }
}

export function configuration() {
  return {
    scopes: ['openid', 'offline_access', 'profile', 'email', 'address', 'phone'],
    responseTypes: ['code id_token', 'code token', 'code id_token token', 'code'],
    extraParams: { scope: keepOfflineAccess },
    // Issue a refresh token whenever the client may use the grant and offline_access was granted
    // (the same rule as the library's default issueRefreshToken).
    async issueRefreshToken(ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    rotateRefreshToken: false, // refresh tokens are not rotated (clients.*.refresh_rotation = false)
    pkce: { required: () => false }, // allowed (S256), never required: hybrid clients go without
    allowOmittingSingleRegisteredRedirectUri: false, // redirect_uri is always required (Core §3.1.2.1)
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // `secure` is only added by oidc-provider when the request itself is https.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      claimsParameter: { enabled: false },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
    },
  };
}
