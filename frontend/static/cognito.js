// The owner's sign-in on AWS: Cognito's user pool API called directly with fetch (no SDK, no bundler).
// USER_PASSWORD_AUTH, the NEW_PASSWORD_REQUIRED challenge of an admin-created owner, REFRESH_TOKEN_AUTH before
// the id token expires, sign-out. The app client is a public one (no secret): a page cannot keep a secret.
//
// Tokens live in sessionStorage, not localStorage: they last as long as the tab, are not shared with other
// tabs, and are gone when the browser closes, so a shared or lost device does not stay signed in to the door
// for the refresh token's 30 days. The price is signing in again in a new tab.

const STORE_KEY = "smartdoor-cognito";
// Refresh this long before the id token expires, so no request goes out with a token about to lapse; for a
// token that lives no longer than twice that, at half its life (else it would be due at once, for ever).
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class SignInError extends Error {
  constructor(message, code = null) {
    super(message);
    this.code = code;
  }
}

const MESSAGES = {
  // Cognito answers an unknown user and a wrong password alike (when the pool prevents user-existence
  // errors); so does the page, so it tells a guesser nothing.
  NotAuthorizedException: "Wrong username or password.",
  UserNotFoundException: "Wrong username or password.",
  PasswordResetRequiredException: "This account's password must be reset by the door's administrator.",
  UserNotConfirmedException: "This account is not confirmed yet.",
  TooManyRequestsException: "Too many tries: wait a minute and try again.",
  LimitExceededException: "Too many tries: wait a minute and try again.",
};

function errorCode(body) {
  // "__type" is "NotAuthorizedException" or "com.amazonaws.cognito...#NotAuthorizedException".
  const type = typeof body?.__type === "string" ? body.__type : "";
  return type.split("#").pop() || null;
}

export function cognitoEndpoint(config) {
  return config.cognitoEndpoint ?? `https://cognito-idp.${config.region}.amazonaws.com/`;
}

// An error of the API that means "signed in, but not as the owner": the resolvers' FORBIDDEN, or AppSync's own
// Unauthorized when the field is limited to the owners group.
export function isNotOwner(error) {
  return ["FORBIDDEN", "Unauthorized"].includes(error?.code);
}

export function cognitoSession(config, {
  fetch = (...args) => globalThis.fetch(...args),
  storage = globalThis.sessionStorage,
  now = () => Date.now(),
} = {}) {
  const endpoint = cognitoEndpoint(config);
  const clientId = config.userPoolClientId;

  async function call(action, body) {
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new SignInError("Cannot reach the sign-in service: check the connection and try again.", "Network");
    }
    const data = await response.json().catch(() => ({}));
    if (response.ok) return data;
    const code = errorCode(data);
    // A new password the pool's policy refuses: Cognito's own words say which rule it broke.
    if (code === "InvalidPasswordException") throw new SignInError(data.message ?? "That password is not allowed.", code);
    throw new SignInError(MESSAGES[code] ?? `Sign-in failed (${code ?? `HTTP ${response.status}`}).`, code);
  }

  function read() {
    try {
      return JSON.parse(storage.getItem(STORE_KEY) ?? "null");
    } catch {
      return null;
    }
  }

  function keep(result, username, refreshToken) {
    // ExpiresIn counted on this clock, not the token's exp: a device whose clock is off still refreshes in time.
    const lifetime = result.ExpiresIn * 1000;
    const tokens = {
      username,
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: result.RefreshToken ?? refreshToken,
      expiresAt: now() + lifetime,
      refreshAt: now() + Math.max(lifetime - REFRESH_MARGIN_MS, lifetime / 2),
    };
    storage.setItem(STORE_KEY, JSON.stringify(tokens));
    return tokens;
  }

  function answer(data, username) {
    if (data.AuthenticationResult) return { tokens: keep(data.AuthenticationResult, username) };
    if (data.ChallengeName === "NEW_PASSWORD_REQUIRED") return { challenge: data.ChallengeName, session: data.Session };
    throw new SignInError(`This sign-in needs a step the console does not offer (${data.ChallengeName}).`,
      data.ChallengeName ?? null);
  }

  return {
    endpoint,

    // { tokens } when signed in, or { challenge: "NEW_PASSWORD_REQUIRED", session } for a first sign-in.
    async signIn(username, password) {
      const data = await call("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      return answer(data, username);
    },

    async setNewPassword(username, newPassword, session) {
      const data = await call("RespondToAuthChallenge", {
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        ClientId: clientId,
        Session: session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
      });
      return answer(data, username);
    },

    // The stored tokens, or null when signed out or past refreshing.
    current() {
      return read();
    },

    // Milliseconds until the id token should be refreshed (0: now).
    refreshDueIn() {
      const tokens = read();
      return tokens ? Math.max(0, tokens.refreshAt - now()) : null;
    },

    async refresh() {
      const tokens = read();
      if (!tokens?.refreshToken) throw new SignInError("Signed out.", "SignedOut");
      let data;
      try {
        data = await call("InitiateAuth", {
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: clientId,
          AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
        });
      } catch (error) {
        // A revoked or expired refresh token will not work again: forget it. A network failure may pass.
        if (error.code !== "Network") storage.removeItem(STORE_KEY);
        throw error.code === "Network" ? error : new SignInError("Your sign-in has expired: sign in again.", error.code);
      }
      // Cognito does not send a new refresh token on this flow: the old one stays.
      return keep(data.AuthenticationResult, tokens.username, tokens.refreshToken);
    },

    // A usable id token: the stored one, refreshed first when it is due.
    async idToken() {
      const tokens = read();
      if (!tokens) return null;
      if (tokens.refreshAt > now()) return tokens.idToken;
      return (await this.refresh()).idToken;
    },

    // Forget the tokens here at once; also ask Cognito to revoke them (best effort: signed out either way).
    async signOut() {
      const tokens = read();
      storage.removeItem(STORE_KEY);
      if (tokens?.accessToken) await call("GlobalSignOut", { AccessToken: tokens.accessToken }).catch(() => {});
    },
  };
}
