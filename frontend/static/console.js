// The owner's console: sightings live over the subscription, decisions, registration, visitors, timeline.
import { request, subscribe, ownerToken, loadConfig } from "/static/graphql.js";
import { el, when, phoneProblem, announce } from "/static/ui.js";
import { cognitoSession, isNotOwner } from "/static/cognito.js";
import { cameraIdProblem, deviceCommand, issueProblem } from "/static/device_command.js";

// Locally the owner is whoever holds the server's owner token; on AWS (config.json's appsync mode) the owner
// signs in with the Cognito user pool and the id token is the credential. The start link's token is taken
// from the address bar before anything is awaited: a page left while config.json is still on its way (the
// owner clicks Outbox at once) must not lose it.
const startToken = ownerToken();
const config = await loadConfig();
const onAws = config.mode === "appsync";
const token = onAws ? null : startToken;
const auth = onAws ? { jwt: null } : { token };
const SIGHTING = "id faceId cameraId status createdAt visitorId photo { url } facePhoto { url }";
const sightings = new Map();
const visitorNames = new Map(); // visitor id → name, so a KNOWN or REGISTERED card can say who it is
const $ = (id) => document.getElementById(id);
const flash = (message, kind = "ok") => announce($("flash"), message, kind);

const EVENT_TEXT = {
  NEW_FACE: (e) => `Someone new at ${e.cameraId}`,
  VISITOR_ARRIVED: (e) => `${e.visitorName} arrived at ${e.cameraId}`,
  APPROVED: () => "You approved a visitor",
  DENIED: () => "You turned a visitor away",
  REGISTERED: (e) => `${e.visitorName} was registered`,
  CODE_SENT: (e) => `Passcode sent to ${e.visitorName}`,
  CODE_HELD_BACK: (e) => `Passcode for ${e.visitorName} held back (SMS limit)`,
  DOOR_OPENED: (e) => `Door opened for ${e.visitorName}`,
  ACCESS_DENIED: () => "A wrong passcode at the door",
  LOCKED_OUT: () => "A door client was locked out after wrong passcodes",
  VISITOR_FORGOTTEN: (e) => `${e.visitorName} was forgotten`,
  SEEN_LATE: (e) => `Someone was at ${e.cameraId} a while ago (seen too late to act on)`,
};

function registrationForm(s) {
  const name = el("input", { id: `name-${s.id}`, maxlength: "80", required: true, autocomplete: "off" });
  const phone = el("input", { id: `phone-${s.id}`, type: "tel", required: true, inputmode: "tel",
    placeholder: "+1 206 555 0100", "aria-describedby": `phone-hint-${s.id}` });
  const hint = el("p", { id: `phone-hint-${s.id}`, class: "hint" }, "International format: + country code and number.");
  const problem = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "register", "aria-label": "Register this visitor" },
    el("label", { for: name.id }, "Name"), name,
    el("label", { for: phone.id }, "Mobile number"), phone, hint, problem,
    el("button", { type: "submit" }, "Register and send passcode"));
  phone.addEventListener("input", () => { phone.removeAttribute("aria-invalid"); problem.textContent = ""; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const issue = phoneProblem(phone.value);
    if (issue) { phone.setAttribute("aria-invalid", "true"); problem.textContent = issue; phone.focus(); return; }
    try {
      const data = await request(`mutation($input: RegisterVisitorInput!) { registerVisitor(input: $input) {
        passcodeSent visitor { id name phoneNumberInternational } } }`, { input: { sightingId: s.id, name: name.value, phoneNumber: phone.value } }, auth);
      const r = data.registerVisitor;
      // The number as the server stored it, so the owner sees what will be dialled (not what was typed).
      const number = r.visitor.phoneNumberInternational;
      flash(`${r.visitor.name} is registered with ${number}.${r.passcodeSent ? " A passcode is on its way by SMS." : " The SMS limit held the passcode back; it comes on the next visit."}`);
      await Promise.all([refreshSightings(), refreshVisitors(), refreshTimeline()]);
    } catch (error) { problem.textContent = error.message; }
  });
  return form;
}

async function decide(s, decision) {
  try {
    await request(`mutation($id: ID!, $d: AccessDecision!) { approveVisitor(sightingId: $id, decision: $d) { id } }`,
      { id: s.id, d: decision }, auth);
    flash(decision === "APPROVE" ? "Approved: now enter their name and number." : "Denied. This face stays quiet for a while.");
    await Promise.all([refreshSightings(), refreshTimeline()]);
  } catch (error) { flash(error.message, "bad"); }
}

// Who a decided sighting turned out to be (a pending stranger may later be enrolled or registered).
function whoItWas(s) {
  const name = visitorNames.get(s.visitorId);
  if (!name) return "";
  return s.status === "REGISTERED" ? `Registered as ${name}` : s.status === "KNOWN" ? name : "";
}

function sightingCard(s) {
  // The face alone reads best at a glance; the whole frame is one click away.
  const picture = s.facePhoto?.url ?? s.photo?.url;
  const photo = picture
    ? el("a", { href: s.photo?.url ?? picture, target: "_blank", rel: "noopener", "aria-label": "Open the whole frame" },
        el("img", { class: "photo", src: picture, alt: `Visitor at ${s.cameraId}` }))
    : el("p", { class: "hint" }, "No photo captured.");
  const card = el("article", { class: "card sighting", "data-id": s.id, "data-status": s.status, "data-who": whoItWas(s) },
    photo,
    el("p", { class: "row" }, el("span", { class: `badge ${s.status}` }, s.status),
      el("span", {}, s.cameraId), el("time", { datetime: s.createdAt }, when(s.createdAt))));
  if (whoItWas(s)) card.append(el("p", { class: "who" }, whoItWas(s)));
  if (s.status === "PENDING") {
    card.append(el("div", { class: "row" },
      el("button", { onclick: () => decide(s, "APPROVE") }, "Approve"),
      el("button", { class: "deny", onclick: () => decide(s, "DENY") }, "Deny")));
  }
  if (s.status === "PENDING" || s.status === "APPROVED") card.append(registrationForm(s));
  return card;
}

function renderSightings() {
  const list = [...sightings.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const root = $("sightings");
  // Keep a form the owner is typing in: only replace cards whose status changed.
  const existing = new Map([...root.querySelectorAll("article.sighting")].map((n) => [n.dataset.id, n]));
  const cards = list.map((s) => {
    const node = existing.get(s.id);
    if (node && node.dataset.status === s.status && node.dataset.who === whoItWas(s)) return node;
    const card = sightingCard(s);
    // A card rebuilt while the owner was typing in it keeps what was typed (its fields have the same ids).
    for (const input of node ? node.querySelectorAll("form.register input") : []) {
      const twin = card.querySelector(`#${CSS.escape(input.id)}`);
      if (twin && input.value) twin.value = input.value;
    }
    return card;
  });
  if (cards.length) root.replaceChildren(...cards);
}

async function refreshSightings() {
  const data = await request(`query { sightings(limit: 30) { items { ${SIGHTING} } } }`, {}, auth);
  sightings.clear();
  for (const s of data.sightings.items) sightings.set(s.id, s);
  renderSightings();
}

async function forget(v) {
  if (!confirm(`Forget ${v.name}? Their face and photos are deleted; next time they are a stranger.`)) return;
  try {
    await request(`mutation($id: ID!) { forgetVisitor(id: $id) }`, { id: v.id }, auth);
    flash(`${v.name} is forgotten.`);
    await Promise.all([refreshVisitors(), refreshTimeline()]);
  } catch (error) { flash(error.message, "bad"); }
}

async function refreshVisitors() {
  const data = await request(`query { visitors(limit: 50) { items { id name phoneNumberInternational createdAt photos { url } } } }`, {}, auth);
  const items = data.visitors.items;
  visitorNames.clear();
  for (const v of items) visitorNames.set(v.id, v.name);
  renderSightings();
  if (!items.length) { $("visitors").replaceChildren(el("li", { class: "hint" }, "No registered visitors yet.")); return; }
  $("visitors").replaceChildren(...items.map((v) => el("li", { class: "row visitor", "data-id": v.id },
    ...v.photos.slice(-3).map((p) => el("img", { class: "thumb", src: p.url, alt: `Photo of ${v.name}` })),
    el("span", {}, el("strong", {}, v.name), el("br"), el("span", { class: "hint phone" }, v.phoneNumberInternational)),
    el("button", { class: "secondary", onclick: () => forget(v), "aria-label": `Forget ${v.name}` }, "Forget"))));
}

async function refreshTimeline() {
  const data = await request(`query { doorEvents(limit: 30) { items { id kind at cameraId visitorName } } }`, {}, auth);
  const items = data.doorEvents.items;
  if (!items.length) return;
  $("timeline").replaceChildren(...items.map((e) => el("li", { "data-kind": e.kind },
    el("time", { datetime: e.at, class: "hint" }, when(e.at)), " · ", (EVENT_TEXT[e.kind] ?? (() => e.kind))(e))));
}

// The door's eyes: each camera's state (a dropped stream says why) and what the analysis did. A camera
// that gave up is shown as failed, in the alert colour, with the reason and what to do.
async function refreshCameras() {
  const response = await fetch("/status.json", { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) return;
  const { vision } = await response.json();
  $("eyes").hidden = !vision;
  if (!vision) return;
  $("cameras").replaceChildren(...vision.cameras.map((c) => c.state === "failed"
    ? el("li", { "data-state": c.state }, el("strong", {}, c.camera_id), " · ", el("span", { class: "bad" }, "failed"),
      ` · ${c.error ?? "no reason given"} · check the source and restart the server`)
    : el("li", { "data-state": c.state },
      el("strong", {}, c.camera_id), ` · ${c.state}`, c.error ? ` · ${c.error}` : "", ` · ${c.frames_read} frames`)));
  const p = vision.pipeline;
  $("pipeline").textContent = `${p.frames} frames analysed, ${p.dropped} skipped while busy, ${p.faces} faces seen, ${p.events} events.`;
}

function setLive(state) {
  const pill = $("live");
  pill.className = `pill ${state}`;
  pill.textContent = { live: "live", connecting: "connecting…", reconnecting: "reconnecting…", refused: "signed out" }[state] ?? state;
}

// ---- Door devices: the owner issues a camera's device token ----

// The token lives only in these two read-only fields until the page goes: never in storage, never logged.
function showDeviceProblem(message, ofTheField = true) {
  const camera = $("device-camera");
  if (ofTheField) { camera.setAttribute("aria-invalid", "true"); camera.focus(); }
  $("device-camera-problem").textContent = message;
}

function deviceForm() {
  const camera = $("device-camera");
  camera.addEventListener("input", () => { camera.removeAttribute("aria-invalid"); $("device-camera-problem").textContent = ""; });
  $("device-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    // A new issue hides the last token: each is shown once, for the camera it names.
    $("device-issued").hidden = true;
    $("device-token").value = "";
    $("device-command").value = "";
    $("device-copied").textContent = "";
    const cameraId = camera.value.trim();
    const issue = cameraIdProblem(cameraId);
    if (issue) { showDeviceProblem(issue); return; }
    try {
      const data = await request(`mutation($c: String!) { issueDeviceToken(cameraId: $c) }`, { c: cameraId }, auth);
      const token = data.issueDeviceToken;
      // The device talks to the API the console talks to: on AWS config.json names it and its API key.
      const graphqlUrl = onAws ? config.graphqlUrl : new URL("/graphql", location.origin).href;
      $("device-token").value = token;
      $("device-command").value = deviceCommand({ token, graphqlUrl, cameraId, apiKey: onAws ? config.apiKey : null });
      $("device-issued-camera").textContent = cameraId;
      $("device-issued").hidden = false;
    } catch (error) {
      const problem = issueProblem(error);
      showDeviceProblem(problem.message, problem.field === "cameraId");
    }
  });
  for (const [button, field, what] of [["copy-device-token", "device-token", "Token"], ["copy-device-command", "device-command", "Command"]]) {
    $(button).addEventListener("click", async () => {
      const node = $(field);
      try {
        await navigator.clipboard.writeText(node.value);
        $("device-copied").textContent = `${what} copied.`;
      } catch {
        // No clipboard permission (or not a secure context): select it so the owner can copy it by hand.
        node.select();
        $("device-copied").textContent = `${what} selected: copy it with Ctrl+C.`;
      }
    });
  }
}
deviceForm();

// GraphiQL gets the token in the fragment: it fills the Headers tab, and a fragment never reaches the server's logs.
if (token) $("graphiql-link").href = `/graphql#token=${encodeURIComponent(token)}`;
// On AWS there is no local server: no GraphiQL page, no camera status, no outbox (SES and SNS send for real).
if (onAws) for (const link of document.querySelectorAll('nav a[href="/graphql"], nav a[href="/camera"], nav a[href="/outbox"]')) link.remove();

// Signed out, the lists are not empty, only hidden: say so rather than "Nobody yet".
function showSignedOut() {
  $("signin").hidden = false;
  const signIn = "Sign in with the owner link to see this.";
  $("sightings").replaceChildren(el("p", { class: "hint" }, "Sign in with the owner link to see who is at your door."));
  $("visitors").replaceChildren(el("li", { class: "hint" }, signIn));
  $("timeline").replaceChildren(el("li", { class: "hint" }, signIn));
}

function startConsole() {
  if (!onAws) setInterval(() => refreshCameras().catch(() => {}), 5000);
  subscribe(`subscription { onSighting { ${SIGHTING} } }`, {}, auth, {
    data: (data) => {
      const s = data.onSighting;
      if (!s) return;
      // A new stranger replaces the last message (say, "… is registered"): it was about someone else.
      if (s.status === "PENDING" && !sightings.has(s.id)) flash(`Someone new at ${s.cameraId}.`, "warn");
      const before = sightings.get(s.id);
      sightings.set(s.id, s);
      renderSightings();
      refreshTimeline().catch(() => {});
      if (s.status === "KNOWN") refreshVisitors().catch(() => {});
      // A stranger's card resolved elsewhere (an enrolment, a registration): say who it was.
      if (s.status === "REGISTERED" && before && before.status !== "REGISTERED") {
        refreshVisitors().then(() => {
          const name = visitorNames.get(s.visitorId) ?? "A registered visitor";
          flash(`${name} was the stranger seen at ${s.cameraId}: that sighting is registered as them now, and their next visit sends a passcode.`);
        }).catch(() => {});
      }
    },
    status: (state) => {
      setLive(state);
      // After a (re)connect, fetch what may have happened while the socket was down.
      if (state === "live") Promise.all([refreshSightings(), refreshVisitors(), refreshTimeline(), ...(onAws ? [] : [refreshCameras()])]).catch((e) => flash(e.message, "bad"));
      if (state === "refused") { if (onAws) showSignIn("The API refused this sign-in: sign in again."); else showSignedOut(); }
    },
  });
}

// ---- On AWS: the owner's Cognito sign-in ----

const cognito = onAws ? cognitoSession(config) : null;
let pendingChallenge = null; // { username, session } while an admin-created owner chooses a password

function showSignIn(problem = "") {
  showSignedOut();
  $("signin").hidden = true; // the owner-link advice is the local server's
  $("cognito").hidden = false;
  $("signin-form").hidden = false;
  $("new-password-form").hidden = true;
  $("signout").hidden = true;
  $("signin-problem").textContent = problem;
  setLive("refused");
  $("live").textContent = "signed out";
}

function showNotOwner() {
  $("not-owner").hidden = false;
  const notOwner = "Only the door's owner sees this.";
  $("sightings").replaceChildren(el("p", { class: "hint" }, notOwner));
  $("visitors").replaceChildren(el("li", { class: "hint" }, notOwner));
  $("timeline").replaceChildren(el("li", { class: "hint" }, notOwner));
  setLive("refused");
}

// Refresh the id token before it expires, in place: requests and subscription reconnects read auth.jwt.
function keepFresh() {
  setTimeout(async () => {
    try {
      auth.jwt = (await cognito.refresh()).idToken;
      keepFresh();
    } catch (error) {
      if (error.code === "Network") setTimeout(keepFresh, 30000);
      else showSignIn(error.message);
    }
  }, cognito.refreshDueIn() ?? 0);
}

async function signedIn(tokens) {
  auth.jwt = tokens.idToken;
  $("cognito").hidden = true;
  $("signin").hidden = true;
  $("signout").hidden = false;
  try {
    // The first reads are also the owner check: a user outside the owners group gets no subscription.
    await Promise.all([refreshSightings(), refreshVisitors(), refreshTimeline()]);
  } catch (error) {
    if (isNotOwner(error)) { showNotOwner(); return; }
    if (error.code === "UnauthorizedException") { showSignIn("The API refused this sign-in: sign in again."); return; }
    flash(error.message, "bad");
  }
  keepFresh();
  startConsole();
}

function signInForms() {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-problem").textContent = "";
    const username = $("username").value.trim();
    try {
      const result = await cognito.signIn(username, $("password").value);
      $("password").value = "";
      if (result.challenge) {
        pendingChallenge = { username, session: result.session };
        $("signin-form").hidden = true;
        $("new-password-form").hidden = false;
        $("new-password").focus();
        return;
      }
      await signedIn(result.tokens);
    } catch (error) { $("signin-problem").textContent = error.message; }
  });
  $("new-password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-problem").textContent = "";
    try {
      const result = await cognito.setNewPassword(pendingChallenge.username, $("new-password").value, pendingChallenge.session);
      $("new-password").value = "";
      if (result.challenge) { pendingChallenge.session = result.session; return; }
      pendingChallenge = null;
      await signedIn(result.tokens);
    } catch (error) { $("signin-problem").textContent = error.message; }
  });
  $("signout").addEventListener("click", async () => {
    await cognito.signOut();
    location.reload(); // drops the subscription, the timers and every list shown
  });
}

if (onAws) {
  signInForms();
  let tokens = cognito.current();
  if (tokens) {
    try {
      auth.jwt = await cognito.idToken();
      tokens = cognito.current();
    } catch { tokens = null; }
  }
  if (tokens) await signedIn(tokens);
  else showSignIn();
} else if (!token) {
  showSignedOut();
  setLive("refused");
} else {
  startConsole();
}
