// One small GraphQL client for the pages: HTTP POST for queries and mutations.
export async function graphql(query, variables = {}, token = null) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

// The owner's token arrives once in the start URL (?token=...); keep it in this browser, out of the URL.
export function ownerToken() {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl && !["/approve", "/deny"].includes(url.pathname)) {
    localStorage.setItem("smartdoor-owner-token", fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.toString());
  }
  return localStorage.getItem("smartdoor-owner-token");
}
