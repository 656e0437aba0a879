// A door device's token in the console: the camera id's rule, the command the owner runs on the device, and
// what a refused issue means. Pure functions (no DOM), so frontend/tests/ runs them under node.

// As the API checks it (smartdoor/domain/frame_keys.py): a camera names a frame key's folder, so "." and ".."
// are no camera's. Every id this allows is a shell word as it is: the command never has to quote it.
const CAMERA_ID = /^[A-Za-z0-9_.-]{1,256}$/;
export const CAMERA_ID_RULE = "A camera id is 1-256 letters, digits, '_', '.' or '-' (not '.' or '..').";

export function cameraIdProblem(cameraId) {
  if (!cameraId) return "Enter the camera's id, e.g. porch.";
  if (!CAMERA_ID.test(cameraId) || cameraId === "." || cameraId === "..") return CAMERA_ID_RULE;
  return null;
}

// One POSIX shell word, whatever the text: single quotes, each ' written as '\''.
export function shellQuote(text) {
  return `'${String(text).replaceAll("'", "'\\''")}'`;
}

// The line to paste on the device. The token (and on AWS the API key) go in the environment of that one
// command; the URL is quoted, since a URL may hold characters the shell would read (?, &, ~).
export function deviceCommand({ token, graphqlUrl, cameraId, apiKey = null }) {
  const problem = cameraIdProblem(cameraId);
  if (problem) throw new Error(problem);
  const environment = [...(apiKey ? [`SMARTDOOR_API_KEY=${shellQuote(apiKey)}`] : []), `SMARTDOOR_DEVICE_TOKEN=${shellQuote(token)}`];
  return `${environment.join(" ")} smartdoor device --api ${shellQuote(graphqlUrl)} --camera-id ${cameraId} --source 0`;
}

// What the owner reads when issuing is refused, by the error's code (graphql.js GraphQLError): a bad input is
// its field's own message; a caller who is not the owner (FORBIDDEN locally, AppSync's Unauthorized on AWS)
// is told so plainly. Returns { field, message }, field null when the problem is not one input's.
export function issueProblem(error) {
  if (error?.code === "BAD_USER_INPUT") return { field: error.field ?? null, message: error.message };
  if (["FORBIDDEN", "Unauthorized"].includes(error?.code)) return { field: null, message: "Only the owner can do this." };
  return { field: null, message: error?.message || "The token could not be issued: try again." };
}
