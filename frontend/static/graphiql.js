// GraphiQL on the local server: queries and mutations over POST /graphql, subscriptions over its websocket
// (graphql-transport-ws, graphql-ws's client). Opened from the console, the owner's token comes in the URL
// fragment (a fragment never reaches the server or its logs); it fills the Headers tab and leaves the address
// bar at once. Every file here comes from this server: no CDN.
/* global GraphiQL, React, ReactDOM, graphqlWs */
import { chooseOperation } from "/static/operations.js";

const EXAMPLE = `# Smart Door's API. Owner operations need the header
#   {"Authorization": "Bearer <owner token>"}
# in the Headers tab below (opened from the console, it is filled in).
# Run with Ctrl-Enter. Try a subscription too, then show someone to a camera:
#   subscription { onSighting { id cameraId status createdAt } }
query {
  visitors(limit: 10) {
    items { name phoneNumber createdAt }
  }
}
`;

function tokenFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

const httpUrl = new URL("/graphql", location.href).href;
const socketUrl = httpUrl.replace(/^http/, "ws");

async function overHttp(params, headers) {
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text}` }] };
  }
}

function socketError(error) {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) return { errors: error };
  // A close event: 4403 is the server refusing connection_init without the owner's token.
  const refused = error?.code === 4403;
  return new Error(refused
    ? "The server refused the websocket: send the header Authorization: Bearer <owner token> (Headers tab)."
    : `The websocket closed (${error?.code ?? "?"} ${error?.reason ?? ""}).`.replace(" )", ")"));
}

// One websocket per subscription, its connection_init carrying the Headers tab; closed when GraphiQL stops.
function overSocket(params, headers) {
  return {
    subscribe(observer) {
      const client = graphqlWs.createClient({ url: socketUrl, connectionParams: headers, lazy: true, retryAttempts: 0 });
      const dispose = client.subscribe(params, {
        next: (value) => observer.next(value),
        error: (error) => { observer.error(socketError(error)); client.dispose(); },
        complete: () => { observer.complete(); client.dispose(); },
      });
      return { unsubscribe: () => { dispose(); client.dispose(); } };
    },
  };
}

function fetcher(params, options) {
  const headers = options?.headers ?? {};
  const operation = chooseOperation(params.query ?? "", params.operationName);
  const request = { ...params, operationName: operation?.name ?? params.operationName ?? undefined };
  return operation?.kind === "subscription" ? overSocket(request, headers) : overHttp(request, headers);
}

const token = tokenFromFragment();
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: EXAMPLE,
    headers: token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: token ? "headers" : true,
    // The token lives in the page only; it is not copied into GraphiQL's local storage.
    shouldPersistHeaders: false,
  }),
);
