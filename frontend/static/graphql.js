// The pages' one GraphQL client. Two transports, chosen by /config.json:
//   local   — the Smart Door server: POST /graphql, subscriptions over graphql-transport-ws, owner bearer token;
//   appsync — AWS AppSync: POST with an API key or a Cognito token, subscriptions over AppSync's real-time
//             protocol (a different handshake: header and payload in the URL, "start"/"data"/"stop" messages).
// Subscriptions reconnect by themselves with capped exponential backoff and report their state, so a page can
// show "live" or "reconnecting" and refetch what it may have missed.

const TOKEN_KEY = "smartdoor-owner-token";

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    // The local server puts the code and its detail in extensions; AppSync's response mapping template gives
    // them as errorType and errorInfo (resolvers/errors.py, cdk/smartdoor_cdk/mapping_templates.py).
    // A refusal of a non-null field can come after GraphQL's own "Cannot return null" error (the local
    // AppSync puts it first), so the first error that carries a code is the one that explains.
    const first = errors.find((e) => e.extensions?.code ?? e.errorType) ?? errors[0] ?? {};
    const detail = first.extensions ?? first.errorInfo ?? {};
    this.code = first.extensions?.code ?? first.errorType ?? null;
    this.field = detail.field ?? null;
    this.retryAfter = detail.retryAfter ?? null;
  }
}

let configPromise = null;
export function loadConfig() {
  configPromise ??= fetch("/config.json", { cache: "no-store" })
    .then((r) => (r.ok ? r.json() : { mode: "local" }))
    .catch(() => ({ mode: "local" }));
  return configPromise;
}

// The owner's token arrives once in the start URL (?token=...), Jupyter-style; it is kept in this browser and
// removed from the address bar so it does not end up in history, screenshots or Referer headers.
export function ownerToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl && !["/approve", "/deny"].includes(url.pathname)) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return localStorage.getItem(TOKEN_KEY);
}

export function forgetOwnerToken() {
  localStorage.removeItem(TOKEN_KEY);
}

function authHeaders(config, auth) {
  if (config.mode === "appsync") {
    const host = new URL(config.graphqlUrl).host;
    if (auth?.jwt) return { host, Authorization: auth.jwt };
    return { host, "x-api-key": config.apiKey };
  }
  return auth?.token ? { Authorization: `Bearer ${auth.token}` } : {};
}

export async function request(query, variables = {}, auth = {}) {
  const config = await loadConfig();
  const url = config.mode === "appsync" ? config.graphqlUrl : "/graphql";
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders(config, auth) },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError([{ message: `The server answered ${response.status} without a GraphQL body.` }]);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  if (!response.ok) throw new GraphQLError([{ message: body.error ?? `HTTP ${response.status}` }]);
  return body.data;
}

// Backward-compatible shorthand used by the simple pages: graphql(query, variables, ownerTokenOrNull).
export function graphql(query, variables = {}, token = null) {
  return request(query, variables, token ? { token } : {});
}

function localSocket(config, query, variables, auth, handlers) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(config.wsUrl ?? `${scheme}://${location.host}/graphql`, "graphql-transport-ws");
  ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: authHeaders(config, auth) }));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      handlers.open();
    } else if (message.type === "next") {
      if (message.payload.errors?.length) handlers.error(new GraphQLError(message.payload.errors));
      else handlers.data(message.payload.data);
    } else if (message.type === "error") {
      handlers.error(new GraphQLError(message.payload));
    } else if (message.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    }
  };
  ws.onclose = (event) => handlers.close(event.code);
  return () => ws.close(1000);
}

function appsyncSocket(config, query, variables, auth, handlers) {
  const header = btoa(JSON.stringify(authHeaders(config, auth)));
  const url = `${config.realtimeUrl}?header=${encodeURIComponent(header)}&payload=e30=`;
  const ws = new WebSocket(url, "graphql-ws");
  let keepAlive = null;
  let timeoutMs = 300000;
  const armKeepAlive = () => {
    clearTimeout(keepAlive);
    keepAlive = setTimeout(() => ws.close(4000), timeoutMs); // AppSync promises "ka" messages; silence = dead
  };
  ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init" }));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      timeoutMs = message.payload?.connectionTimeoutMs ?? timeoutMs;
      armKeepAlive();
      ws.send(JSON.stringify({
        id: "1",
        type: "start",
        payload: {
          data: JSON.stringify({ query, variables }),
          extensions: { authorization: authHeaders(config, auth) },
        },
      }));
    } else if (message.type === "start_ack") {
      handlers.open();
    } else if (message.type === "ka") {
      armKeepAlive();
    } else if (message.type === "data") {
      handlers.data(message.payload.data);
    } else if (message.type === "error" || message.type === "connection_error") {
      handlers.error(new GraphQLError(message.payload?.errors ?? [{ message: "subscription error" }]));
    }
  };
  ws.onclose = (event) => {
    clearTimeout(keepAlive);
    handlers.close(event.code);
  };
  return () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id: "1", type: "stop" }));
    ws.close(1000);
  };
}

// subscribe(query, variables, auth, { data, status }) → stop(). status is called with "connecting", "live",
// "reconnecting" or "refused" (wrong credentials: no retry).
export function subscribe(query, variables, auth, { data, status = () => {}, error = () => {} }) {
  let stopped = false;
  let close = null;
  let attempt = 0;
  let timer = null;
  const connect = async () => {
    const config = await loadConfig();
    if (stopped) return;
    status(attempt === 0 ? "connecting" : "reconnecting");
    const open = config.mode === "appsync" ? appsyncSocket : localSocket;
    close = open(config, query, variables, auth, {
      open: () => { attempt = 0; status("live"); },
      data,
      error,
      close: (code) => {
        if (stopped) return;
        if (code === 4403 || code === 4401) { status("refused"); return; }
        attempt += 1;
        status("reconnecting");
        const delay = Math.min(15000, 500 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() / 2);
        timer = setTimeout(connect, delay);
      },
    });
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    close?.();
  };
}
