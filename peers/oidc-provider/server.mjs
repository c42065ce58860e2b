// A peer OpenID Provider for hybridcheck: panva's oidc-provider (pinned in package.json),
// configured for the OIDC hybrid flow on plain-http loopback. See README.md.
//
// stdout carries exactly one line, `READY <issuer>`, once the server listens; every
// other message (oidc-provider's notices and warnings included) goes to stderr.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

// oidc-provider prints its NOTICEs with console.info (stdout): keep stdout for READY only.
console.info = console.error;
console.log = console.error;

const { default: Provider } = await import('oidc-provider');

const HOST = '127.0.0.1';

function env(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    if (fallback === undefined) {
      console.error(`server.mjs: environment variable ${name} is required`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

function uriList(name) {
  return env(name).split(',').map((uri) => uri.trim()).filter(Boolean);
}

const TEST_USER = env('TEST_USER', 'tester@hybridcheck.test');

// The same values as tenants/local.toml [user.claims].
const USER_CLAIMS = {
  name: 'Tess Tester',
  nickname: 'tess',
  given_name: 'Tess',
  family_name: 'Tester',
  email: 'tester@hybridcheck.test',
  email_verified: true,
  phone_number: '+1 555 0100',
  phone_number_verified: false,
  address: { street_address: '1 Test Way', locality: 'Testville', country: 'NZ' },
};

const CLIENT_METADATA = {
  response_types: ['code id_token', 'code token', 'code id_token token', 'code'],
  grant_types: ['authorization_code', 'implicit', 'refresh_token'],
  application_type: 'web', // never 'native': native loopback matching ignores the port (RFC 8252 §7.3)
  // Registration §2: auth_time in every ID token, not only when max_age is sent (the suite
  // compares auth_time before and after prompt=login / max_age). It also makes oidc-provider
  // refuse authorization requests without the openid scope.
  require_auth_time: true,
};

const clients = [{
  ...CLIENT_METADATA,
  client_id: env('CLIENT_ID'),
  client_secret: env('CLIENT_SECRET'),
  redirect_uris: uriList('REDIRECT_URIS'),
  token_endpoint_auth_method: 'client_secret_post',
}];
if (process.env.OTHER_CLIENT_ID) {
  clients.push({
    ...CLIENT_METADATA,
    client_id: env('OTHER_CLIENT_ID'),
    client_secret: env('OTHER_CLIENT_SECRET'),
    redirect_uris: uriList('OTHER_REDIRECT_URIS'),
    token_endpoint_auth_method: 'client_secret_basic',
  });
}

// One RS256 signing key, generated at start.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `rs256-${randomBytes(6).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
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

function listen(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}

const server = await listen(Number.parseInt(env('PORT', '0'), 10) || 0);
const ISSUER = `http://${HOST}:${server.address().port}`; // no trailing slash

const provider = new Provider(ISSUER, {
  clients,
  jwks: { keys: [signingKey] },
  async findAccount(ctx, id) {
    // The dev login accepts any login and password; only TEST_USER has profile claims.
    return {
      accountId: id,
      async claims() {
        return id === TEST_USER ? { sub: id, ...USER_CLAIMS } : { sub: id };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'nickname'],
    email: ['email', 'email_verified'],
    address: ['address'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'address', 'phone'],
  responseTypes: ['code id_token', 'code token', 'code id_token token', 'code'],
  extraParams: { scope: keepOfflineAccess },
  // Issue a refresh token whenever the client may use the grant and offline_access was granted.
  async issueRefreshToken(ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
  },
  rotateRefreshToken: false, // refresh tokens are not rotated (capabilities.refresh_rotation = false)
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
});

// oidc-provider refuses http (and localhost) redirect URIs for web clients with implicit or
// hybrid response types. Its documented escape hatch: let the client schema ignore exactly
// those two validation codes (lib/helpers/client_schema.js, redirectUris()). Nothing else
// about redirect URI matching changes: it stays an exact string comparison.
const IGNORED_CLIENT_CHECKS = new Set(['implicit-force-https', 'implicit-forbid-localhost']);
const { invalidate } = provider.Client.Schema.prototype;
provider.Client.Schema.prototype.invalidate = function invalidateExceptLoopbackHttp(message, code) {
  if (IGNORED_CLIENT_CHECKS.has(code)) return;
  invalidate.call(this, message, code);
};

// Validate the static clients now, so a bad configuration fails at start, not at first use.
for (const { client_id: clientId } of clients) {
  try {
    await provider.Client.find(clientId);
  } catch (err) {
    console.error(`server.mjs: client ${clientId} is invalid: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
    process.exit(2);
  }
}

provider.on('server_error', (ctx, err) => console.error('server_error', err));

// LOG_REQUESTS=1: one stderr line per request (method, path, status, session cookie ids).
if (process.env.LOG_REQUESTS === '1') {
  const short = (v) => (v ? v.slice(0, 8) : '-');
  provider.use(async (ctx, next) => {
    await next();
    const sent = /(?:^|; )_session=([^;]*)/.exec(ctx.get('cookie') ?? '')?.[1];
    const set = (ctx.response.headers['set-cookie'] ?? [])
      .map((c) => /^(_session)=([^;]*)/.exec(c)).filter(Boolean).map((m) => short(m[2]));
    const location = ctx.response.get('location');
    console.error(`${ctx.method} ${ctx.path} -> ${ctx.status} session sent=${short(sent)} set=${set.join(',') || '-'}${location ? ` location=${location.split(/[?#]/)[0]}${/error=[a-z_]+/.exec(location)?.[0] ? ` ${/error=[a-z_]+/.exec(location)[0]}` : ''}` : ''}`);
  });
}

server.on('request', provider.callback());
process.stdout.write(`READY ${ISSUER}\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
