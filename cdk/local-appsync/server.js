// A local AppSync for the cloud test tier: the Amplify AppSync simulator serving the repo's schema.graphql as it
// is, wired from a JSON file that cdk/smartdoor_cdk/local_appsync.py writes from the synthesised template.
//
//   node server.js WIRING.json
//
// Prints one JSON line on stdout when it listens: {"port": N, "graphql": URL, "realtime": URL}.
// The wiring: {schemaPath, host, port, apiKey, userPoolId, region, authentication: {default, additional[]},
// dataSources: [{name, type, workerUrl?}], resolvers: [{typeName, fieldName, dataSourceName, kind,
// requestMappingTemplate, responseMappingTemplate}]}.
//
// The simulator's known defects (../shared/NOTES.md, "A local AppSync for tests") are worked around here:
//  (1) graphql 15.11.0 is installed at top level (package.json), so one graphql realm serves every request;
//  (2) subscription arguments are ignored: each subscription field's subscribe is filtered on its arguments;
//  (3) a bad auth value in a websocket "start" rejects a promise nobody awaits, which kills node: logged instead;
//  (4) subscribers get the whole resolver result, AppSync sends only the mutation's selection set: the publish
//      is projected onto the selection of the mutation that fired it;
//  (5) no enhanced filters, auth only in query parameters: nothing here depends on either.
"use strict";

const fs = require("node:fs");
const net = require("node:net");
const http = require("node:http");
const { AsyncLocalStorage } = require("node:async_hooks");
const { AmplifyAppSyncSimulator } = require("@aws-amplify/amplify-appsync-simulator");
const { withFilter } = require("graphql-subscriptions");
const { parse, Kind } = require("graphql");

// (3) Without this, one malformed authorization header in a websocket "start" ends every connection.
process.on("unhandledRejection", (reason) => {
  console.error("local-appsync: unhandled rejection (the connection's request is refused):", reason);
});

function freePort(host) {
  // The simulator takes a port from a fixed range when given 0; ask the OS for a free one instead.
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function callWorker(workerUrl, payload) {
  // One long-lived Python worker answers every invocation (resolvers.handler imported once, as in a warm
  // Lambda container). It answers {"result": ...} or, for a function failure, {"errorType", "errorMessage"}.
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const request = http.request(
      workerUrl,
      { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => {
          try {
            const answer = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            if ("result" in answer) resolve(answer.result);
            else reject(Object.assign(new Error(answer.errorMessage), { type: answer.errorType }));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function authProvider(mode, wiring) {
  if (mode === "AMAZON_COGNITO_USER_POOLS") {
    return { authenticationType: mode, cognitoUserPoolConfig: { AppIdClientRegex: wiring.appIdClientRegex ?? ".*" } };
  }
  return { authenticationType: mode };
}

// (4) What a selection set reads from a value: unselected fields are left out, so they resolve to null.
function project(value, selectionSet, fragments) {
  if (value === null || value === undefined || !selectionSet) return value;
  if (Array.isArray(value)) return value.map((item) => project(item, selectionSet, fragments));
  const out = {};
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name in value) out[name] = project(value[name], selection.selectionSet, fragments);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      Object.assign(out, project(value, selection.selectionSet, fragments));
    } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
      Object.assign(out, project(value, fragments[selection.name.value].selectionSet, fragments));
    }
  }
  return out;
}

// Subscription field -> the mutations that fire it, read from the schema's @aws_subscribe directives.
function subscribedMutations(schemaText) {
  const fired = new Map();
  for (const definition of parse(schemaText).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || definition.name.value !== "Subscription") continue;
    for (const field of definition.fields) {
      for (const directive of field.directives) {
        if (directive.name.value !== "aws_subscribe") continue;
        const mutations = directive.arguments.find((a) => a.name.value === "mutations");
        fired.set(field.name.value, (mutations?.value.values ?? []).map((v) => v.value));
      }
    }
  }
  return fired;
}

function applyWorkarounds(simulator, schemaText) {
  const schema = simulator.schema;
  const fired = subscribedMutations(schemaText);

  // (2) AppSync delivers a publish only to subscribers whose non-null arguments equal the published fields.
  const subscriptions = schema.getSubscriptionType()?.getFields() ?? {};
  for (const field of Object.values(subscriptions)) {
    const subscribe = field.subscribe;
    field.subscribe = withFilter(subscribe, (payload, args) =>
      Object.entries(args ?? {}).every(([name, wanted]) => wanted === null || wanted === undefined || payload?.[name] === wanted),
    );
  }

  // (4) The simulator publishes the mutation's whole result from inside its resolver; the selection the
  // caller made is carried alongside (per call, so concurrent mutations keep theirs) and applied on publish.
  const selections = new AsyncLocalStorage();
  const firing = new Set([...fired.values()].flat());
  const mutations = schema.getMutationType()?.getFields() ?? {};
  for (const [name, field] of Object.entries(mutations)) {
    if (!firing.has(name)) continue;
    const resolve = field.resolve;
    field.resolve = (parent, args, context, info) =>
      selections.run({ selectionSet: info.fieldNodes[0].selectionSet, fragments: info.fragments }, () =>
        resolve(parent, args, context, info),
      );
  }
  const pubsub = simulator.pubsub;
  const publish = pubsub.publish.bind(pubsub);
  pubsub.publish = (trigger, payload) => {
    const selected = selections.getStore();
    return publish(trigger, selected ? project(payload, selected.selectionSet, selected.fragments) : payload);
  };
}

async function main() {
  const wiring = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const host = wiring.host ?? "127.0.0.1";
  const port = wiring.port || (await freePort(host));
  const schemaText = fs.readFileSync(wiring.schemaPath, "utf8");

  const simulator = new AmplifyAppSyncSimulator({ port, wsPort: port });
  simulator.init({
    schema: { content: schemaText, path: wiring.schemaPath },
    appSync: {
      name: "smartdoor-local",
      apiKey: wiring.apiKey,
      defaultAuthenticationType: authProvider(wiring.authentication.default, wiring),
      additionalAuthenticationProviders: wiring.authentication.additional.map((mode) => authProvider(mode, wiring)),
    },
    dataSources: wiring.dataSources.map((source) =>
      source.type === "AWS_LAMBDA"
        ? { name: source.name, type: "AWS_LAMBDA", invoke: (payload) => callWorker(source.workerUrl, payload) }
        : { name: source.name, type: source.type },
    ),
    resolvers: wiring.resolvers.map((r) => ({
      kind: r.kind,
      typeName: r.typeName,
      fieldName: r.fieldName,
      dataSourceName: r.dataSourceName,
      requestMappingTemplate: r.requestMappingTemplate,
      responseMappingTemplate: r.responseMappingTemplate,
    })),
  });
  applyWorkarounds(simulator, schemaText);

  // The simulator listens on every interface; this one listens on the loopback address only.
  const server = simulator._server._httpServer;
  const listen = server.listen.bind(server);
  server.listen = (p, ...rest) => listen(p, host, ...rest);
  await simulator.start();

  const base = `http://${host}:${port}`;
  process.stdout.write(
    JSON.stringify({ port, graphql: `${base}/graphql`, realtime: `ws://${host}:${port}/graphql/realtime` }) + "\n",
  );
  const stop = () => simulator.stop().finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error("local-appsync: could not start:", error);
  process.exit(1);
});
