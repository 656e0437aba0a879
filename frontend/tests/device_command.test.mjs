// The console's door-device command line (frontend/static/device_command.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cameraIdProblem, deviceCommand, issueProblem, shellQuote, CAMERA_ID_RULE } from "../static/device_command.js";

test("the local command: token in the environment, the URL quoted, the camera id as it is", () => {
  assert.equal(
    deviceCommand({ token: "eyJjIjoicG9yY2gifQ.c2ln", graphqlUrl: "http://127.0.0.1:8000/graphql", cameraId: "porch" }),
    "SMARTDOOR_DEVICE_TOKEN='eyJjIjoicG9yY2gifQ.c2ln' smartdoor device --api 'http://127.0.0.1:8000/graphql' --camera-id porch --source 0",
  );
});

test("on AWS the API key comes first", () => {
  assert.equal(
    deviceCommand({ token: "t.s", graphqlUrl: "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql", cameraId: "front_door.1", apiKey: "da2-xyz" }),
    "SMARTDOOR_API_KEY='da2-xyz' SMARTDOOR_DEVICE_TOKEN='t.s' smartdoor device --api 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql' --camera-id front_door.1 --source 0",
  );
});

test("a URL the shell would read is one quoted word", () => {
  const url = "http://door.local:8000/graphql?a=1&b='x' $HOME";
  const line = deviceCommand({ token: "t", graphqlUrl: url, cameraId: "porch" });
  assert.ok(line.includes(`--api 'http://door.local:8000/graphql?a=1&b='\\''x'\\'' $HOME' --camera-id`));
  assert.equal(shellQuote("it's"), "'it'\\''s'");
});

test("every camera id the rule allows needs no quoting", () => {
  // What a POSIX shell leaves alone in a word: no quoting, expansion, globbing or separator characters.
  const plain = /^[A-Za-z0-9_.\-]+$/;
  for (const id of ["porch", "a", "A.b-c_9", "x".repeat(256), "-", "..."]) {
    assert.equal(cameraIdProblem(id), null, id);
    assert.match(id, plain);
  }
});

test("camera ids the API refuses are refused here, with the API's rule", () => {
  for (const id of ["front door", ".", "..", "x".repeat(257), "porch/1", "caf\u00e9", "a;b", "$HOME", "'"]) {
    assert.equal(cameraIdProblem(id), CAMERA_ID_RULE, id);
    assert.throws(() => deviceCommand({ token: "t", graphqlUrl: "http://h/graphql", cameraId: id }), { message: CAMERA_ID_RULE });
  }
  assert.equal(cameraIdProblem(""), "Enter the camera's id, e.g. porch.");
});

test("a refusal is explained by its code", () => {
  const bad = Object.assign(new Error("cameraId must be 1-256 letters"), { code: "BAD_USER_INPUT", field: "cameraId" });
  assert.deepEqual(issueProblem(bad), { field: "cameraId", message: "cameraId must be 1-256 letters" });
  const forbidden = Object.assign(new Error("owner only"), { code: "FORBIDDEN", field: null });
  assert.deepEqual(issueProblem(forbidden), { field: null, message: "Only the owner can do this." });
  const appsync = Object.assign(new Error("Not Authorized to access issueDeviceToken"), { code: "Unauthorized" });
  assert.deepEqual(issueProblem(appsync), { field: null, message: "Only the owner can do this." });
  assert.deepEqual(issueProblem(new Error("network down")), { field: null, message: "network down" });
});
