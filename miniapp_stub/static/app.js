// The "my applications" tracker: a PUBLIC OpenID Connect client (authorization code + PKCE S256,
// state, nonce) that reads the citizen's applications from the platform's GraphQL API.
// Plain JavaScript, no build step, nothing loaded from anywhere but this page's own server.
"use strict";

// Tokens live in sessionStorage, not localStorage: it belongs to this one tab and is emptied when
// the tab closes, so a forgotten tab on a shared phone or a kiosk does not keep the citizen signed in
// for days, and other tabs (or a script injected into another page of this origin later) see nothing.
// The PKCE verifier, state and nonce must survive the trip to the platform's sign-in page and back,
// which sessionStorage does (same tab, same origin).
const store = window.sessionStorage;
const TOKENS = "tracker.tokens";
const PENDING = "tracker.pending";

const TEXTS = {
  "zh-Hans": {
    title: "我的办件",
    intro: "本示例小程序通过一网通办登录，只读取您的办件及其进度。",
    signIn: "登录",
    signOut: "退出登录",
    reload: "刷新列表",
    loading: "正在加载……",
    empty: "您还没有办件。",
    signedOut: "您已退出登录，请重新登录。",
    bye: "您已退出登录。",
    denied: "您没有同意授权，本页无法显示您的办件。",
    failed: "暂时无法连接平台，请稍后再试。",
    unverified: "登录结果无法核对，已作废，请重新登录。",
    reference: "受理编号：{0}",
    deadline: "承诺办结日期：{0}",
    overdue: "已超期",
    latest: "最新进展：{0}（{1}）",
    consent:
      "您可以随时在一网通办 App 的授权管理中撤回对本小程序的授权。撤回后，本小程序的登录会立即失效，本页将显示为已退出登录。",
  },
  "zh-Hant": {
    title: "我的辦件",
    intro: "本示例小程式透過一網通辦登入，只讀取您的辦件及其進度。",
    signIn: "登入",
    signOut: "登出",
    reload: "重新整理列表",
    loading: "正在載入……",
    empty: "您還沒有辦件。",
    signedOut: "您已登出，請重新登入。",
    bye: "您已登出。",
    denied: "您沒有同意授權，本頁無法顯示您的辦件。",
    failed: "暫時無法連線平台，請稍後再試。",
    unverified: "登入結果無法核對，已作廢，請重新登入。",
    reference: "受理編號：{0}",
    deadline: "承諾辦結日期：{0}",
    overdue: "已逾期",
    latest: "最新進度：{0}（{1}）",
    consent:
      "您可以隨時在一網通辦 App 的授權管理中撤回對本小程式的授權。撤回後，本小程式的登入會立即失效，本頁將顯示為已登出。",
  },
  en: {
    title: "My applications",
    intro: "This sample mini-program signs you in through onewindow and reads only your applications and their progress.",
    signIn: "Sign in",
    signOut: "Sign out",
    reload: "Refresh the list",
    loading: "Loading…",
    empty: "You have no applications yet.",
    signedOut: "You are signed out. Please sign in again.",
    bye: "You signed out.",
    denied: "You did not allow access, so this page cannot show your applications.",
    failed: "The platform cannot be reached right now. Please try again later.",
    unverified: "The sign-in answer could not be checked and was discarded. Please sign in again.",
    reference: "Reference: {0}",
    deadline: "Promised by {0}",
    overdue: "Overdue",
    latest: "Latest step: {0} ({1})",
    consent:
      "You can withdraw this mini-program's access at any time in the onewindow app's authorized apps. Its sign-in then ends at once and this page shows you as signed out.",
  },
};

// The citizen's language: the browser's, reduced to the three the platform speaks.
const LANGUAGE = navigator.language || "en";
const LOCALE = /^zh/i.test(LANGUAGE)
  ? /hant|tw|hk|mo/i.test(LANGUAGE) ? "zh-Hant" : "zh-Hans"
  : "en";

function t(key, ...values) {
  return TEXTS[LOCALE][key].replace(/\{(\d)\}/g, (_, i) => values[Number(i)]);
}

const $ = (id) => document.getElementById(id);
let config = null;
let operations = null;

// --- small helpers ----------------------------------------------------------------------------
function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

// The id_token's claims. Only decoded, not verified: the page got it straight from the platform's
// token endpoint over TLS in answer to its own PKCE-bound code, which is what OpenID Connect asks of
// a public client. A server that receives an id_token from elsewhere (a confidential client's
// backend) must verify its ES256 signature against the platform's JWKS.
function jwtClaims(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function tokens() {
  return JSON.parse(store.getItem(TOKENS) || "null");
}

function show(messageKey) {
  $("message").hidden = !messageKey;
  $("message").textContent = messageKey ? t(messageKey) : "";
}

function view(signedIn) {
  $("sign-in").hidden = signedIn;
  $("reload").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  if (!signedIn) {
    $("applications").replaceChildren();
    $("empty").hidden = true;
  }
}

// The state the brief calls "signed out, sign in again": storage emptied, the sign-in button back.
function signedOut(messageKey) {
  store.clear();
  view(false);
  show(messageKey);
}

// --- signing in -------------------------------------------------------------------------------
async function signIn() {
  const verifier = randomString(32);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const pending = { state: randomString(16), nonce: randomString(16), verifier };
  store.setItem(PENDING, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: config.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
    ui_locales: LOCALE,
  });
  window.location.assign(`${config.platform}/oauth/authorize?${query}`);
}

async function tokenRequest(fields) {
  return fetch(`${config.platform}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({ client_id: config.clientId, ...fields }),
  });
}

// Back from the platform with ?code&state (or ?error): check everything before keeping any token.
async function finishSignIn(params) {
  const pending = JSON.parse(store.getItem(PENDING) || "null");
  store.removeItem(PENDING); // one use, whatever happens next
  if (params.get("error")) {
    signedOut(params.get("error") === "access_denied" ? "denied" : "failed");
    return;
  }
  if (!pending || params.get("state") !== pending.state) {
    signedOut("unverified"); // not the sign-in this tab started: someone else's code
    return;
  }
  const answer = await tokenRequest({
    grant_type: "authorization_code",
    code: params.get("code"),
    redirect_uri: config.redirectUri,
    code_verifier: pending.verifier,
  });
  if (!answer.ok) {
    signedOut("failed");
    return;
  }
  const issued = await answer.json();
  const claims = jwtClaims(issued.id_token);
  const audiences = [].concat(claims.aud);
  if (claims.nonce !== pending.nonce || claims.iss !== config.issuer || !audiences.includes(config.clientId)) {
    signedOut("unverified");
    return;
  }
  store.setItem(TOKENS, JSON.stringify({ access: issued.access_token, refresh: issued.refresh_token }));
}

// --- calling the API --------------------------------------------------------------------------
// A 401 means the access token is no longer accepted: expired, or its session ended (the citizen
// withdrew consent or signed out everywhere). Try the refresh token ONCE; if the platform refuses it
// too, the citizen must sign in again.
async function refresh() {
  const current = tokens();
  if (!current) return false;
  const answer = await tokenRequest({ grant_type: "refresh_token", refresh_token: current.refresh });
  if (!answer.ok) return false;
  const renewed = await answer.json();
  // Refresh tokens rotate: the old one is spent, keep the new one.
  store.setItem(TOKENS, JSON.stringify({ access: renewed.access_token, refresh: renewed.refresh_token }));
  return true;
}

async function graphql(operationName, variables) {
  operations = operations || (await (await fetch("/operations.graphql")).text());
  const send = () =>
    fetch(`${config.platform}/graphql`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${tokens().access}`,
        "content-type": "application/json",
        "accept-language": LANGUAGE,
      },
      body: JSON.stringify({ query: operations, operationName, variables }),
    });
  let answer = await send();
  if (answer.status === 401) {
    if (!(await refresh())) return null;
    answer = await send();
    if (answer.status === 401) return null;
  }
  const body = await answer.json();
  if (!answer.ok || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// --- the list ---------------------------------------------------------------------------------
function formatDate(value, withTime) {
  const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  // A Date ("2026-12-21") is a calendar day, not an instant: read it as local noon.
  const date = withTime ? new Date(value) : new Date(`${value}T12:00:00`);
  return new Intl.DateTimeFormat(LOCALE, options).format(date);
}

function line(className, text) {
  const element = document.createElement("div");
  element.className = className;
  element.textContent = text;
  return element;
}

function render(applications) {
  const items = applications.map((application) => {
    const item = document.createElement("li");
    item.className = "application";
    item.dataset.id = application.id;
    item.append(line("title", (application.matter || application.bundle || {}).name || application.reference));
    const status = line(application.overdue ? "status overdue" : "status", application.statusLabel);
    item.append(status);
    if (application.deadline) {
      const deadline = t("deadline", formatDate(application.deadline, false));
      item.append(line("detail deadline", application.overdue ? `${deadline} · ${t("overdue")}` : deadline));
    }
    const step = application.currentStep;
    if (step) item.append(line("detail step", t("latest", step.actionLabel, formatDate(step.at, true))));
    item.append(line("detail reference", t("reference", application.reference)));
    return item;
  });
  $("applications").replaceChildren(...items);
  $("empty").hidden = items.length > 0;
}

async function showApplications() {
  view(true);
  show("loading");
  let data;
  try {
    data = await graphql("MyApplications", { first: 10 });
  } catch (error) {
    console.error(error);
    show("failed");
    return;
  }
  if (data === null) {
    signedOut("signedOut");
    return;
  }
  show(null);
  render(data.myApplications.edges.map((edge) => edge.node));
}

async function signOut() {
  const current = tokens();
  store.clear();
  if (current) {
    // Ends the session on the platform too (RFC 7009); the page forgets the tokens either way.
    await fetch(`${config.platform}/oauth/revoke`, {
      method: "POST",
      body: new URLSearchParams({ client_id: config.clientId, token: current.refresh }),
    }).catch(() => undefined);
  }
  signedOut("bye");
}

// --- start ------------------------------------------------------------------------------------
async function start() {
  document.documentElement.lang = LOCALE;
  document.title = t("title");
  for (const [id, key] of [
    ["title", "title"],
    ["intro", "intro"],
    ["sign-in", "signIn"],
    ["reload", "reload"],
    ["sign-out", "signOut"],
    ["empty", "empty"],
    ["consent-note", "consent"],
  ]) {
    $(id).textContent = t(key);
  }
  $("sign-in").addEventListener("click", signIn);
  $("reload").addEventListener("click", showApplications);
  $("sign-out").addEventListener("click", signOut);
  config = await (await fetch("/config.json")).json();
  if (window.location.pathname === "/callback") {
    const params = new URLSearchParams(window.location.search);
    // The code is spent either way: take it out of the address bar and the history.
    window.history.replaceState(null, "", "/");
    await finishSignIn(params);
  }
  if (tokens()) await showApplications();
  else view(false);
  document.body.dataset.ready = "true"; // for tests: the page has settled
}

start();
