// The console's Cognito sign-in against a scripted Cognito (a fake fetch): node --test frontend/tests/
import { test } from "node:test";
import assert from "node:assert/strict";

import { cognitoSession, isNotOwner, REFRESH_MARGIN_MS, SignInError } from "../static/cognito.js";

const CONFIG = { mode: "appsync", region: "eu-west-1", userPoolClientId: "client-1" };

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

// A fake Cognito: answers each call with the next scripted [status, body], and keeps what was sent.
function scripted(...answers) {
  const fetch = async (url, init) => {
    fetch.calls.push({ url, init, body: JSON.parse(init.body), target: init.headers["X-Amz-Target"] });
    const next = answers.shift();
    if (next instanceof Error) throw next;
    const [status, body] = next;
    return { ok: status < 400, status, json: async () => body };
  };
  fetch.calls = [];
  return fetch;
}

const RESULT = { IdToken: "id-1", AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresIn: 3600 };

function session(fetch, { storage = new MemoryStorage(), clock = { t: 1_000_000 }, config = CONFIG } = {}) {
  return { auth: cognitoSession(config, { fetch, storage, now: () => clock.t }), storage, clock };
}

test("sign-in: USER_PASSWORD_AUTH to the region's endpoint, tokens kept with their expiry", async () => {
  const fetch = scripted([200, { AuthenticationResult: RESULT }]);
  const { auth, storage } = session(fetch);
  const { tokens } = await auth.signIn("owner", "pw");
  const [call] = fetch.calls;
  assert.equal(call.url, "https://cognito-idp.eu-west-1.amazonaws.com/");
  assert.equal(call.init.method, "POST");
  assert.equal(call.target, "AWSCognitoIdentityProviderService.InitiateAuth");
  assert.equal(call.init.headers["Content-Type"], "application/x-amz-json-1.1");
  assert.deepEqual(call.body, {
    AuthFlow: "USER_PASSWORD_AUTH", ClientId: "client-1", AuthParameters: { USERNAME: "owner", PASSWORD: "pw" },
  });
  assert.deepEqual(tokens, {
    username: "owner", idToken: "id-1", accessToken: "access-1", refreshToken: "refresh-1",
    expiresAt: 1_000_000 + 3_600_000, refreshAt: 1_000_000 + 3_600_000 - REFRESH_MARGIN_MS,
  });
  assert.deepEqual(JSON.parse(storage.getItem("smartdoor-cognito")), tokens);
  assert.equal(await auth.idToken(), "id-1");
  assert.equal(fetch.calls.length, 1); // a fresh token needs no call
});

test("config.json's cognitoEndpoint overrides the URL (an offline user pool)", async () => {
  const fetch = scripted([200, { AuthenticationResult: RESULT }]);
  const { auth } = session(fetch, { config: { ...CONFIG, cognitoEndpoint: "http://127.0.0.1:5000/" } });
  await auth.signIn("owner", "pw");
  assert.equal(fetch.calls[0].url, "http://127.0.0.1:5000/");
});

test("an admin-created owner sets a new password: RespondToAuthChallenge with the session", async () => {
  const fetch = scripted(
    [200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "sess-1", ChallengeParameters: {} }],
    [200, { AuthenticationResult: RESULT }],
  );
  const { auth } = session(fetch);
  const first = await auth.signIn("owner", "Temp-123!");
  assert.deepEqual(first, { challenge: "NEW_PASSWORD_REQUIRED", session: "sess-1" });
  assert.equal(auth.current(), null); // not signed in until the password is set
  const { tokens } = await auth.setNewPassword("owner", "New-Passw0rd!", "sess-1");
  const call = fetch.calls[1];
  assert.equal(call.target, "AWSCognitoIdentityProviderService.RespondToAuthChallenge");
  assert.deepEqual(call.body, {
    ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: "client-1", Session: "sess-1",
    ChallengeResponses: { USERNAME: "owner", NEW_PASSWORD: "New-Passw0rd!" },
  });
  assert.equal(tokens.idToken, "id-1");
});

test("a wrong password and an unknown user get the same clear message; nothing is stored", async () => {
  for (const type of ["NotAuthorizedException", "com.amazonaws.cognito#UserNotFoundException"]) {
    const fetch = scripted([400, { __type: type, message: "Incorrect username or password." }]);
    const { auth, storage } = session(fetch);
    await assert.rejects(auth.signIn("owner", "nope"), (error) => {
      assert.ok(error instanceof SignInError);
      assert.equal(error.message, "Wrong username or password.");
      return true;
    });
    assert.equal(storage.getItem("smartdoor-cognito"), null);
  }
});

test("a new password the policy refuses says which rule, in Cognito's words", async () => {
  const fetch = scripted([400, { __type: "InvalidPasswordException", message: "Password did not conform with policy: Password not long enough" }]);
  const { auth } = session(fetch);
  await assert.rejects(auth.setNewPassword("owner", "short", "s"), {
    code: "InvalidPasswordException", message: "Password did not conform with policy: Password not long enough",
  });
});

test("an unreachable Cognito says so", async () => {
  const { auth } = session(scripted(new TypeError("Failed to fetch")));
  await assert.rejects(auth.signIn("owner", "pw"), { code: "Network", message: /Cannot reach the sign-in service/ });
});

test("the id token is refreshed with REFRESH_TOKEN_AUTH before it expires, keeping the refresh token", async () => {
  const fetch = scripted(
    [200, { AuthenticationResult: RESULT }],
    [200, { AuthenticationResult: { IdToken: "id-2", AccessToken: "access-2", ExpiresIn: 3600 } }],
  );
  const { auth, clock } = session(fetch);
  await auth.signIn("owner", "pw");
  assert.equal(auth.refreshDueIn(), 3_600_000 - REFRESH_MARGIN_MS);
  clock.t += 3_600_000 - REFRESH_MARGIN_MS - 1;
  assert.equal(await auth.idToken(), "id-1"); // not due yet
  clock.t += 1;
  assert.equal(await auth.idToken(), "id-2"); // due: refreshed, before the old one lapsed
  const call = fetch.calls[1];
  assert.equal(call.target, "AWSCognitoIdentityProviderService.InitiateAuth");
  assert.deepEqual(call.body, {
    AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: "client-1", AuthParameters: { REFRESH_TOKEN: "refresh-1" },
  });
  assert.equal(auth.current().refreshToken, "refresh-1");
  assert.equal(auth.current().expiresAt, clock.t + 3_600_000);
});

test("a refused refresh signs out; a failed network keeps the session for the next try", async () => {
  const fetch = scripted(
    [200, { AuthenticationResult: RESULT }],
    new TypeError("Failed to fetch"),
    [400, { __type: "NotAuthorizedException", message: "Refresh Token has been revoked" }],
  );
  const { auth } = session(fetch);
  await auth.signIn("owner", "pw");
  await assert.rejects(auth.refresh(), { code: "Network" });
  assert.notEqual(auth.current(), null);
  await assert.rejects(auth.refresh(), { message: "Your sign-in has expired: sign in again." });
  assert.equal(auth.current(), null);
  assert.equal(await auth.idToken(), null);
});

test("sign-out forgets the tokens at once and asks Cognito to revoke them", async () => {
  const fetch = scripted([200, { AuthenticationResult: RESULT }], [400, { __type: "InternalErrorException" }]);
  const { auth, storage } = session(fetch);
  await auth.signIn("owner", "pw");
  await auth.signOut(); // Cognito's failure does not keep anyone signed in
  assert.equal(storage.getItem("smartdoor-cognito"), null);
  assert.equal(fetch.calls[1].target, "AWSCognitoIdentityProviderService.GlobalSignOut");
  assert.deepEqual(fetch.calls[1].body, { AccessToken: "access-1" });
});

test("not the owner: the resolvers' FORBIDDEN and AppSync's group check, not a bad token", () => {
  assert.equal(isNotOwner({ code: "FORBIDDEN" }), true);
  assert.equal(isNotOwner({ code: "Unauthorized" }), true);
  assert.equal(isNotOwner({ code: "UnauthorizedException" }), false); // the token itself was refused
  assert.equal(isNotOwner(null), false);
});

test("a pool whose id tokens last no longer than the margin refreshes at half their life, not at once", async () => {
  // Cognito's shortest id token lives 5 minutes, the margin's length: due at once, refreshed in a loop.
  const short = { ...RESULT, ExpiresIn: 300 };
  const fetch = scripted([200, { AuthenticationResult: short }], [200, { AuthenticationResult: short }]);
  const { auth, clock } = session(fetch);
  await auth.signIn("owner", "pw");
  assert.equal(auth.refreshDueIn(), 150_000);
  assert.equal(await auth.idToken(), "id-1"); // fresh: no call
  assert.equal(fetch.calls.length, 1);
  clock.t += 150_000;
  await auth.idToken();
  assert.equal(fetch.calls.length, 2);
  assert.equal(auth.refreshDueIn(), 150_000); // and the refreshed token again at half its life
});
