// Small DOM helpers shared by the pages. Everything a visitor or the camera supplied goes in as text.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

const E164 = /^\+[1-9][0-9]{7,14}$/;

// A first check so the form can help at once. The server has the last word (libphonenumber: the number must
// be valid for its country) and its message is shown when it refuses one that passes here.
export function phoneProblem(raw) {
  const text = raw.trim();
  if (!text) return "Enter the visitor's mobile number.";
  if (!text.startsWith("+")) return "Start with + and the country code, e.g. +1 for the US, +44 for the UK.";
  if (!/^\+[0-9\s().\/-]*$/.test(text)) return "Use only digits, spaces and dashes after the +.";
  if (!E164.test(text.replace(/[\s().\/-]/g, ""))) return "That does not look like an international number: + country code, then 7-14 digits.";
  return null;
}

export function announce(region, message, kind = "") {
  region.className = `notice ${kind}`.trim();
  region.textContent = message;
}
