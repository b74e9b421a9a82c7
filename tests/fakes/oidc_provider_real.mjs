#!/usr/bin/env node
// A real, certified OpenID Connect provider (npm `oidc-provider`) for the API tests, run on
// loopback behind a small man-in-the-middle proxy that can rewrite its token answers.
//
//   node oidc_provider_real.mjs --port PORT --client-id ID --client-secret SECRET \
//        --redirect-pattern REGEXP [--defaults]
//
// The issuer is http://127.0.0.1:PORT: the proxy listens there and forwards every request to the
// provider on a port of its own (Host kept, so the provider's URLs name the proxy). The provider
// signs ID tokens RS256 (default) with keys it publishes at its jwks_uri. Its development login
// and consent forms take any login: the login is the account id, its `sub`, and, when it holds an
// "@", its verified email ("OTHER|EMAIL": another account, sub "OTHER|EMAIL", of that email).
//
// Two configurations:
//   (without --defaults)  tuned the way the first tests wanted it: the email claims go in the ID
//                         token (conformIdTokenClaims: false), only RS256 and ES256 are
//                         advertised, PKCE is required, and client_secret_post is the only client
//                         authentication advertised (token_endpoint_auth_methods_supported)
//   --defaults            oidc-provider at its defaults, as a provider would be deployed: the
//                         client registered with nothing but its id, secret and redirect URI
//                         (client_secret_basic), every algorithm and client authentication it
//                         supports advertised, and the email claims only in the userinfo answer
//                         (OIDC Core 5.4). Only the account store, the claims it holds (`email`,
//                         `email_verified`, `name`) and the signing keys are configured.
//
// The proxy's own endpoints (never forwarded):
//   POST /_tamper {"mode": M, "claims": {...}}  rewrite the ID token of the next token answers
//                                               until reset ({} or {"mode": "off"}): `claims`
//                                               merged into its payload, then
//     alg_none          header {"alg": "none"}, no signature
//     payload           the provider's header and signature kept
//     foreign_key       re-signed RS256 by a key of the proxy's under the provider's RSA kid
//     unknown_kid       re-signed RS256 by a key of the proxy's under a kid nobody published
//     hs256_secret      re-signed HS256 with the client secret (what a home-made fake may do)
//     unadvertised_alg  re-signed RS512 by the provider's own RSA key (not advertised)
//     es256             re-signed ES256 by the provider's own EC key (advertised: valid)
//     no_kid            re-signed RS256 by the provider's own RSA key, without a kid (valid)
//     rotate            re-signed RS256 by a new key, which the proxy adds to every JWKS answer
//                       from then on (the provider rotated its keys: valid)
//     Besides "mode" and "claims", the same POST sets (each absent member resets it):
//     "down": true      every request to the provider answers 503 (the provider is down)
//     "discovery": {}   merged into the discovery document (e.g. what it advertises)
//     "userinfo": {}    merged into the userinfo answer (another sub, an unverified email)
//   GET  /_tamper       {"mode", "requests": {path: count}, "token_auth": {basic, post}}: how
//                       often each path was forwarded, and how the client authenticated at the
//                       token endpoint
import crypto from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-pattern': { type: 'string' },
    defaults: { type: 'boolean', default: false },
  },
});
for (const k of ['port', 'client-id', 'client-secret', 'redirect-pattern']) {
  if (!args[k]) {
    console.error(`oidc_provider_real: --${k} is required`);
    process.exit(2);
  }
}
const issuer = `http://127.0.0.1:${args.port}`;
const redirectPattern = new RegExp(args['redirect-pattern']);

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const newKey = (type, kid) => {
  const opts = type === 'rsa' ? { modulusLength: 2048 } : { namedCurve: 'P-256' };
  const { privateKey } = crypto.generateKeyPairSync(type, opts);
  return { kid, privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' } };
};
const publicJwk = ({ jwk }) => {
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  return pub;
};

const rsaKey = newKey('rsa', 'provider-rsa-1');
const ecKey = newKey('ec', 'provider-ec-1');
const attackerKey = newKey('rsa', 'attacker-key');
const rotatedKey = newKey('rsa', 'provider-rsa-2');

const client = {
  client_id: args['client-id'],
  client_secret: args['client-secret'],
  redirect_uris: ['https://portal.example.test/auth/google/callback'],
};
const configuration = {
  clients: [client],
  jwks: { keys: [rsaKey.jwk, ecKey.jwk] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        // "SUB|EMAIL" is a second account of the same address (sub "SUB|EMAIL").
        const email = id.includes('|') ? id.slice(id.indexOf('|') + 1) : id;
        return email.includes('@')
          ? { sub: id, email, email_verified: true, name: 'Real Provider Person' }
          : { sub: id };
      },
    };
  },
};
if (!args.defaults) {
  Object.assign(client, {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  });
  Object.assign(configuration, {
    clientAuthMethods: ['client_secret_post'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'] },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: true } },
  });
}
const provider = new Provider(issuer, configuration);
// Every hauler's portal has its own callback URL (a test tenant's slug is random): allow the
// tests' pattern instead of a fixed list.
provider.Client.prototype.redirectUriAllowed = (uri) => redirectPattern.test(uri);

const state = {
  mode: 'off', claims: {}, rotated: false, requests: {}, down: false, discovery: {}, userinfo: {},
  tokenAuth: { basic: 0, post: 0 },
};

function sign(alg, header, payload, key) {
  const input = `${b64url(JSON.stringify({ ...header, alg }))}.${b64url(JSON.stringify(payload))}`;
  let sig;
  if (alg === 'HS256') {
    sig = crypto.createHmac('sha256', key).update(input).digest();
  } else if (alg === 'ES256') {
    sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  } else {
    sig = crypto.sign(alg === 'RS512' ? 'sha512' : 'sha256', Buffer.from(input), key);
  }
  return `${input}.${b64url(sig)}`;
}

function tamper(idToken) {
  const [h, p, s] = idToken.split('.');
  const payload = { ...JSON.parse(Buffer.from(p, 'base64url')), ...state.claims };
  const typ = { typ: 'JWT' };
  switch (state.mode) {
    case 'alg_none':
      return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.`;
    case 'payload':
      return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
    case 'foreign_key':
      return sign('RS256', { ...typ, kid: rsaKey.kid }, payload, attackerKey.privateKey);
    case 'unknown_kid':
      return sign('RS256', { ...typ, kid: attackerKey.kid }, payload, attackerKey.privateKey);
    case 'hs256_secret':
      return sign('HS256', typ, payload, args['client-secret']);
    case 'unadvertised_alg':
      return sign('RS512', { ...typ, kid: rsaKey.kid }, payload, rsaKey.privateKey);
    case 'es256':
      return sign('ES256', { ...typ, kid: ecKey.kid }, payload, ecKey.privateKey);
    case 'no_kid':
      return sign('RS256', typ, payload, rsaKey.privateKey);
    case 'rotate':
      return sign('RS256', { ...typ, kid: rotatedKey.kid }, payload, rotatedKey.privateKey);
    default:
      return idToken;
  }
}

function rewrite(path, body) {
  if (path === '/.well-known/openid-configuration' && Object.keys(state.discovery).length) {
    return JSON.stringify({ ...JSON.parse(body), ...state.discovery });
  }
  if (path === '/me' && Object.keys(state.userinfo).length) {
    return JSON.stringify({ ...JSON.parse(body), ...state.userinfo });
  }
  if (path === '/token' && state.mode !== 'off') {
    const doc = JSON.parse(body);
    if (doc.id_token) doc.id_token = tamper(doc.id_token);
    return JSON.stringify(doc);
  }
  if (path === '/jwks' && state.rotated) {
    const doc = JSON.parse(body);
    doc.keys.push(publicJwk(rotatedKey));
    return JSON.stringify(doc);
  }
  return null;
}

function sendJson(res, status, doc) {
  const data = JSON.stringify(doc);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function control(req, res, raw) {
  if (req.method === 'POST') {
    const doc = raw ? JSON.parse(raw) : {};
    state.mode = doc.mode || 'off';
    state.claims = doc.claims || {};
    state.down = doc.down === true;
    state.discovery = doc.discovery || {};
    state.userinfo = doc.userinfo || {};
    if (state.mode === 'rotate') state.rotated = true;
  }
  sendJson(res, 200, {
    mode: state.mode, rotated: state.rotated, down: state.down, requests: state.requests,
    token_auth: state.tokenAuth,
  });
}

// How the client authenticated at the token endpoint: HTTP Basic or the form body.
function countTokenAuth(req, raw) {
  if (req.headers.authorization?.startsWith('Basic ')) state.tokenAuth.basic += 1;
  if (new URLSearchParams(raw.toString()).has('client_secret')) state.tokenAuth.post += 1;
}

function forward(req, res, raw, upstreamPort) {
  const path = new URL(req.url, issuer).pathname;
  state.requests[path] = (state.requests[path] || 0) + 1;
  if (state.down) {
    sendJson(res, 503, { error: 'temporarily_unavailable' });
    return;
  }
  if (path === '/token') countTokenAuth(req, raw);
  const up = http.request({
    host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers,
  }, (answer) => {
    const chunks = [];
    answer.on('data', (c) => chunks.push(c));
    answer.on('end', () => {
      let body = Buffer.concat(chunks);
      const headers = { ...answer.headers };
      const changed = answer.statusCode === 200 ? rewrite(path, body.toString()) : null;
      if (changed !== null) {
        body = Buffer.from(changed);
        delete headers.etag;
        console.log(`proxy: rewrote ${path} (${state.mode})`);
      }
      delete headers['transfer-encoding'];
      headers['content-length'] = body.length;
      res.writeHead(answer.statusCode, headers);
      res.end(body);
    });
  });
  up.on('error', (e) => sendJson(res, 502, { error: 'proxy', detail: e.message }));
  up.end(raw);
}

const upstream = http.createServer(provider.callback());
upstream.listen(0, '127.0.0.1', () => {
  const upstreamPort = upstream.address().port;
  const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (req.url.startsWith('/_tamper')) {
        try {
          control(req, res, raw.toString());
        } catch (e) {
          sendJson(res, 400, { error: e.message });
        }
        return;
      }
      forward(req, res, raw, upstreamPort);
    });
  });
  proxy.listen(Number(args.port), '127.0.0.1', () => {
    console.log(`oidc_provider_real: issuer ${issuer}, provider on port ${upstreamPort}`);
  });
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
