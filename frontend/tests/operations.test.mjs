// The operation picker behind GraphiQL's fetcher (frontend/static/operations.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseOperation, operations } from "../static/operations.js";

test("an anonymous subscription is a subscription", () => {
  assert.deepEqual(chooseOperation("subscription { onSighting { id } }", undefined), { kind: "subscription", name: null });
});

test("a stale operation name from the previous text is ignored when one operation remains", () => {
  assert.deepEqual(chooseOperation("subscription { onSighting { id } }", "Visitors"), { kind: "subscription", name: null });
});

test("the named operation of several is chosen", () => {
  const doc = "query Visitors { visitors { items { name } } }\nsubscription Live { onSighting { id } }";
  assert.deepEqual(chooseOperation(doc, "Live"), { kind: "subscription", name: "Live" });
  assert.deepEqual(chooseOperation(doc, "Visitors"), { kind: "query", name: "Visitors" });
  assert.equal(chooseOperation(doc, "Gone"), null);
});

test("shorthand queries, fragments, variables, comments and strings are read right", () => {
  const doc = `# subscription { nope }
fragment F on Sighting { id status }
query($first: Int = 3, $s: String = "mutation {") @cached { query: sightings(limit: $first) { items { ...F } } }`;
  assert.deepEqual(operations(doc), [{ kind: "query", name: null }]);
  assert.deepEqual(operations("{ visitors { items { name } } }"), [{ kind: "query", name: null }]);
  assert.deepEqual(operations('mutation Go { validateOtp(otp: "123456") { granted } }'), [{ kind: "mutation", name: "Go" }]);
});
