// What the portal does from a browser, cross-origin, run by tests/browser/drive.mjs through
// `window.portalChecks(config)`: sign in, download a PDF reading its file name, read the Allow of
// a 405, and refresh twice at once with one refresh token (two tabs waking together). Returns
// what the page could see; the bats file judges it.
"use strict";

// fetch `path` of the API with JSON `body` (if any) and bearer `token` (if any); the answer's
// status, the headers the page can read, and its JSON body (null when not JSON).
async function call(api, method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(api + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get("Content-Type") || "";
  return {
    status: response.status,
    headers: response.headers,
    json: type.includes("json") ? await response.json() : null,
    blob: type.includes("json") ? null : await response.blob(),
  };
}

async function signIn(cfg) {
  const r = await call(cfg.api, "POST", `/v1/tenants/${cfg.tenant}/auth/login`, {
    body: { email: cfg.email, password: cfg.password },
  });
  return { status: r.status, requestId: r.headers.get("X-Request-Id"), session: r.json };
}

async function downloadPdf(cfg, token) {
  const r = await call(cfg.api, "GET", `/v1/portal/invoices/${cfg.invoiceId}/pdf`, { token });
  const head = r.blob ? new Uint8Array(await r.blob.slice(0, 5).arrayBuffer()) : [];
  return {
    status: r.status,
    contentType: r.headers.get("Content-Type"),
    contentDisposition: r.headers.get("Content-Disposition"),
    magic: String.fromCharCode(...head),
  };
}

async function methodNotAllowed(cfg, token) {
  const r = await call(cfg.api, "DELETE", "/v1/me", { token });
  return { status: r.status, allow: r.headers.get("Allow"), code: r.json && r.json.code };
}

// Two tabs holding one refresh token refresh at the same instant; then each uses what it got.
async function twoTabsRefresh(cfg, refreshToken) {
  const body = { refresh_token: refreshToken };
  const answers = await Promise.all([
    call(cfg.api, "POST", "/v1/auth/refresh", { body }),
    call(cfg.api, "POST", "/v1/auth/refresh", { body }),
  ]);
  const tabs = [];
  for (const a of answers) {
    const session = a.json || {};
    const me = session.access_token
      ? await call(cfg.api, "GET", "/v1/me", { token: session.access_token })
      : { status: null };
    tabs.push({ status: a.status, code: session.code || null,
                refreshToken: session.refresh_token || null, meStatus: me.status });
  }
  const next = tabs[0].refreshToken
    ? await call(cfg.api, "POST", "/v1/auth/refresh", { body: { refresh_token: tabs[0].refreshToken } })
    : { status: null };
  return { tabs, nextRefreshStatus: next.status };
}

window.portalChecks = async function portalChecks(cfg) {
  const login = await signIn(cfg);
  const session = login.session || {};
  const token = session.access_token;
  return {
    login: { status: login.status, requestId: login.requestId },
    pdf: await downloadPdf(cfg, token),
    methodNotAllowed: await methodNotAllowed(cfg, token),
    refresh: await twoTabsRefresh(cfg, session.refresh_token),
  };
};
