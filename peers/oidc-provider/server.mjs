// A peer OpenID Provider for hybridcheck: panva's oidc-provider (pinned in package.json) on
// plain-http loopback, with one of two settings (README.md, "Settings"):
//   node server.mjs --settings=stock       the library's defaults (tenants/oidc-provider-stock.toml)
//   node server.mjs --settings=auth0-like  behaves like Auth0 where the specs allow (tenants/oidc-provider.toml)
// (or PEER_SETTINGS=stock|auth0-like; the default is stock). This file holds what both need;
// settings/<name>.mjs adds the rest.
//
// stdout carries exactly one line, `READY <issuer>`, once the server listens; every
// other message (oidc-provider's notices and warnings included) goes to stderr.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

// oidc-provider prints its NOTICEs with console.info (stdout): keep stdout for READY only.
console.info = console.error;
console.log = console.error;

const SETTINGS = ['stock', 'auth0-like'];
const settingsName = process.argv.slice(2).find((a) => a.startsWith('--settings='))?.slice('--settings='.length)
  || process.env.PEER_SETTINGS || 'stock';
if (!SETTINGS.includes(settingsName)) {
  console.error(`server.mjs: unknown settings ${JSON.stringify(settingsName)} (known: ${SETTINGS.join(', ')})`);
  process.exit(2);
}
const settings = await import(`./settings/${settingsName}.mjs`);
console.error(`server.mjs: settings ${settingsName}: ${settings.description}`);

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

// What a hybrid client registers (the relying party's metadata, not provider settings): the
// three hybrid response types, plus `code` (the suite logs in once per worker with it), and the
// grants they need (Registration §2: `code token`/`code id_token token` need implicit), with
// refresh_token for the refresh tests. application_type is the default, web.
const CLIENT_METADATA = {
  response_types: ['code id_token', 'code token', 'code id_token token', 'code'],
  grant_types: ['authorization_code', 'implicit', 'refresh_token'],
  ...settings.clientMetadata,
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

function listen(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server));
  });
}

const server = await listen(Number.parseInt(env('PORT', '0'), 10) || 0);
const ISSUER = `http://${HOST}:${server.address().port}`; // no trailing slash

// What the suite cannot run without, in both settings: the clients, the test user and its
// claims, a signing key, and the two hybrid response types the library does not enable by default.
const base = {
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
  // Merged into the library's default claims ({acr, sid, auth_time, iss, openid: [sub]}); the
  // scopes named here become known scopes (Core §5.4) next to the default openid, offline_access.
  claims: {
    profile: ['name', 'given_name', 'family_name', 'nickname'],
    email: ['email', 'email_verified'],
    address: ['address'],
    phone: ['phone_number', 'phone_number_verified'],
  },
  // The default is ['code id_token', 'code', 'id_token', 'none']: add the other two hybrid ones.
  responseTypes: ['code id_token', 'code token', 'code id_token token', 'code', 'id_token', 'none'],
};

const provider = new Provider(ISSUER, { ...base, ...settings.configuration() });

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
