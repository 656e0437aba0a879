// Which operation of a GraphQL document a request runs, read from the text itself (no parser needed).
// GraphiQL learns the operation from its editor after a short debounce, so a request sent straight after an
// edit can carry the previous operation's name, and a subscription would go out over HTTP (which answers
// null at once) instead of the websocket.

const IGNORED = /"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*/g;
const TOKEN = /[{}()]|@?[_A-Za-z][_0-9A-Za-z]*/g;
const KINDS = new Set(["query", "mutation", "subscription"]);

// The top-level operations, in order: [{ kind, name }] (name null when anonymous).
export function operations(document) {
  const found = [];
  let braces = 0;
  let parens = 0;
  let pending = null; // an operation keyword (and name) seen, its selection set not yet opened
  let named = false; // the pending operation's name slot is used up (by a name, variables or a directive)
  let inFragment = false;
  for (const [token] of document.replace(IGNORED, " ").matchAll(TOKEN)) {
    if (token === "(") { parens += 1; named = true; }
    else if (token === ")") parens -= 1;
    else if (token === "{") {
      if (braces === 0 && parens === 0) {
        if (pending) found.push(pending);
        else if (!inFragment) found.push({ kind: "query", name: null });
        pending = null;
        inFragment = false;
      }
      braces += 1;
    } else if (token === "}") braces -= 1;
    else if (braces === 0 && parens === 0) {
      if (token.startsWith("@")) named = true;
      else if (KINDS.has(token) && !pending && !inFragment) { pending = { kind: token, name: null }; named = false; }
      else if (token === "fragment" && !pending) inFragment = true;
      else if (pending && !named) { pending.name = token; named = true; }
    }
  }
  return found;
}

// The operation a request with this operationName runs: the named one, or the only one; null if ambiguous.
export function chooseOperation(document, operationName) {
  const all = operations(document);
  const named = operationName ? all.find((op) => op.name === operationName) : undefined;
  if (named) return named;
  return all.length === 1 ? all[0] : null;
}
