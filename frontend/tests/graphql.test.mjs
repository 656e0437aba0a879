// The pages' GraphQL client, both transports, against scripted peers: node --test frontend/tests/
import { test } from "node:test";
import assert from "node:assert/strict";

class FakeSocket {
  static instances = [];
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.sent = [];
    this.readyState = 0;
    FakeSocket.instances.push(this);
    queueMicrotask(() => { this.readyState = 1; this.onopen?.(); });
  }
  send(text) { this.sent.push(JSON.parse(text)); }
  close(code = 1000) { this.readyState = 3; this.onclose?.({ code }); }
  receive(message) { this.onmessage?.({ data: JSON.stringify(message) }); }
  static OPEN = 1;
}

function environment(config) {
  FakeSocket.instances = [];
  globalThis.WebSocket = FakeSocket;
  globalThis.location = { protocol: "http:", host: "127.0.0.1:8000", pathname: "/" };
  globalThis.fetch = async (url, init) => {
    if (url === "/config.json") return { ok: true, json: async () => config };
    fetch.calls.push({ url, init });
    return { ok: true, status: 200, json: async () => ({ data: { ok: true } }) };
  };
  globalThis.fetch.calls = [];
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function fresh() {
  // A new module instance per test, so each reads its own /config.json.
  return import(`../static/graphql.js?${Math.random()}`);
}

test("local: POST /graphql with the owner's bearer token", async () => {
  environment({ mode: "local" });
  const { request } = await fresh();
  assert.deepEqual(await request("query { a }", { x: 1 }, { token: "t0k" }), { ok: true });
  const [call] = fetch.calls;
  assert.equal(call.url, "/graphql");
  assert.equal(call.init.headers.Authorization, "Bearer t0k");
  assert.deepEqual(JSON.parse(call.init.body), { query: "query { a }", variables: { x: 1 } });
});

test("local: graphql-transport-ws handshake, data, and a refused owner", async () => {
  environment({ mode: "local" });
  const { subscribe } = await fresh();
  const seen = [];
  const states = [];
  subscribe("subscription { s }", {}, { token: "t0k" }, { data: (d) => seen.push(d), status: (s) => states.push(s) });
  await flush(); await flush();
  const ws = FakeSocket.instances[0];
  assert.equal(ws.url, "ws://127.0.0.1:8000/graphql");
  assert.equal(ws.protocol, "graphql-transport-ws");
  assert.deepEqual(ws.sent[0], { type: "connection_init", payload: { Authorization: "Bearer t0k" } });
  ws.receive({ type: "connection_ack" });
  assert.deepEqual(ws.sent[1], { id: "1", type: "subscribe", payload: { query: "subscription { s }", variables: {} } });
  ws.receive({ type: "ping" });
  assert.deepEqual(ws.sent[2], { type: "pong" });
  ws.receive({ id: "1", type: "next", payload: { data: { s: 1 } } });
  assert.deepEqual(seen, [{ s: 1 }]);
  ws.close(4403);
  assert.deepEqual(states, ["connecting", "live", "refused"]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(FakeSocket.instances.length, 1, "a refused owner is not retried");
});

test("local: a dropped socket reconnects by itself", async () => {
  environment({ mode: "local" });
  const { subscribe } = await fresh();
  const states = [];
  const stop = subscribe("subscription { s }", {}, { token: "t" }, { data: () => {}, status: (s) => states.push(s) });
  await flush(); await flush();
  FakeSocket.instances[0].receive({ type: "connection_ack" });
  FakeSocket.instances[0].close(1006);
  await new Promise((resolve) => setTimeout(resolve, 1700)); // first retry waits 0.75-1.25 s
  assert.equal(FakeSocket.instances.length, 2);
  stop();
  assert.deepEqual(states.slice(0, 3), ["connecting", "live", "reconnecting"]);
});

test("appsync: API key on HTTP, real-time handshake with header and start/stop", async () => {
  const config = {
    mode: "appsync",
    graphqlUrl: "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql",
    realtimeUrl: "wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/graphql",
    apiKey: "da2-key",
  };
  environment(config);
  const { request, subscribe } = await fresh();
  await request("mutation { validateOtp(otp: \"1\") { granted } }");
  const [call] = fetch.calls;
  assert.equal(call.url, config.graphqlUrl);
  assert.equal(call.init.headers["x-api-key"], "da2-key");

  const seen = [];
  const stop = subscribe("subscription { onSighting { id } }", {}, { jwt: "id-token" }, { data: (d) => seen.push(d) });
  await flush(); await flush();
  const ws = FakeSocket.instances[0];
  assert.equal(ws.protocol, "graphql-ws");
  const url = new URL(ws.url);
  const header = JSON.parse(atob(url.searchParams.get("header")));
  assert.deepEqual(header, { host: "abc.appsync-api.eu-west-1.amazonaws.com", Authorization: "id-token" });
  assert.equal(url.searchParams.get("payload"), "e30=");
  assert.deepEqual(ws.sent[0], { type: "connection_init" });
  ws.receive({ type: "connection_ack", payload: { connectionTimeoutMs: 300000 } });
  const start = ws.sent[1];
  assert.equal(start.type, "start");
  assert.deepEqual(JSON.parse(start.payload.data), { query: "subscription { onSighting { id } }", variables: {} });
  assert.deepEqual(start.payload.extensions.authorization, header);
  ws.receive({ type: "start_ack", id: "1" });
  ws.receive({ type: "ka" });
  ws.receive({ type: "data", id: "1", payload: { data: { onSighting: { id: "s1" } } } });
  assert.deepEqual(seen, [{ onSighting: { id: "s1" } }]);
  stop();
  assert.deepEqual(ws.sent[2], { id: "1", type: "stop" });
});

test("an error's code, field and retryAfter read alike from the local server and from AppSync", async () => {
  const { GraphQLError } = await fresh();
  const local = new GraphQLError([
    { message: "Slow down.", extensions: { code: "RATE_LIMITED", retryAfter: 30 } },
  ]);
  const appsync = new GraphQLError([
    { message: "Slow down.", errorType: "RATE_LIMITED", errorInfo: { retryAfter: 30 }, data: null },
  ]);
  for (const error of [local, appsync]) {
    assert.deepEqual([error.code, error.retryAfter, error.field], ["RATE_LIMITED", 30, null]);
  }
  const bad = new GraphQLError([{ message: "No.", errorType: "BAD_USER_INPUT", errorInfo: { field: "limit" } }]);
  assert.deepEqual([bad.code, bad.field, bad.retryAfter], ["BAD_USER_INPUT", "limit", null]);
  const internal = new GraphQLError([{ message: "Internal error.", errorType: "INTERNAL", errorInfo: null }]);
  assert.deepEqual([internal.code, internal.field, internal.retryAfter], ["INTERNAL", null, null]);
});

test("the coded error explains, even after GraphQL's own non-null error", async () => {
  const { GraphQLError } = await fresh();
  const error = new GraphQLError([
    { message: "Cannot return null for non-nullable field Mutation.validateOtp.", path: ["validateOtp"] },
    { message: "Slow down.", errorType: "RATE_LIMITED", errorInfo: { retryAfter: 42 }, path: ["validateOtp"] },
  ]);
  assert.deepEqual([error.code, error.retryAfter], ["RATE_LIMITED", 42]);
});
