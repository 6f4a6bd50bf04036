// Share and reuse: the page's state in its URL, the same query as curl, Python and R,
// and a history of queries run, kept in this browser's localStorage.

import { h } from "./terms.js";

// The URL holds either ?query=TEXT or ?canned=NAME with the parameters by name, and the
// chosen view as &view=NAME.
const RESERVED = new Set(["query", "canned", "view"]);

/** The state a URL describes: {query} or {canned, params}, and the view. */
export function stateFromUrl(search = window.location.search) {
  const url = new URLSearchParams(search);
  const params = new URLSearchParams();
  for (const [k, v] of url) if (!RESERVED.has(k)) params.append(k, v);
  return { query: url.get("query"), canned: url.get("canned"), params, view: url.get("view") };
}

/** The page's URL for a state. */
export function urlFor({ query, canned, params, view }) {
  const url = new URLSearchParams();
  if (canned) {
    url.set("canned", canned);
    for (const [k, v] of params ?? []) url.append(k, v);
  } else if (query) url.set("query", query);
  if (view && view !== "table") url.set("view", view);
  return `${window.location.origin}/?${url}`;
}

const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;
const pyString = (text) => `"""${text.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')}"""`;
const rString = (text) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

/** The same query from a terminal (curl), Python (SPARQLWrapper) and R. */
export function snippets({ query, canned, params }) {
  const origin = window.location.origin;
  if (canned) {
    const csv = new URLSearchParams(params); csv.set("format", "csv");
    const url = `${origin}/queries/${encodeURIComponent(canned)}?${csv}`;
    return {
      curl: `curl ${quote(url)}`,
      python: `# A canned query runs by name; its parameters are bound by the server.\nimport csv, io, urllib.request\n\nwith urllib.request.urlopen(${JSON.stringify(url)}) as response:\n    rows = list(csv.DictReader(io.TextIOWrapper(response, encoding="utf-8-sig")))\nprint(rows[:5])`,
      r: `rows <- read.csv(${rString(url)}, encoding = "UTF-8")\nhead(rows)`,
    };
  }
  const csv = `${origin}/sparql?${new URLSearchParams({ query, format: "csv" })}`;
  return {
    curl: `curl ${quote(`${origin}/sparql`)} -H 'Accept: text/csv' --data-urlencode ${quote(`query=${query}`)}`,
    python: `# pip install sparqlwrapper; glocal's prefixes are predeclared on the endpoint.\nfrom SPARQLWrapper import SPARQLWrapper, JSON\n\nsparql = SPARQLWrapper(${JSON.stringify(`${origin}/sparql`)})\nsparql.setQuery(${pyString(query)})\nsparql.setReturnFormat(JSON)\nrows = sparql.queryAndConvert()["results"]["bindings"]\nprint(rows[:5])`,
    r: `rows <- read.csv(${rString(csv)}, encoding = "UTF-8")\nhead(rows)`,
  };
}

/** Copy text; where the clipboard is refused, select it so that Ctrl+C copies it. */
export async function copy(text, field, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = "Copied.";
  } catch {
    field.focus();
    field.select?.();
    status.textContent = "Press Ctrl+C to copy the selected text.";
  }
}

/** Fill the share panel for a state. */
export function fillShare(state) {
  const link = urlFor(state);
  document.getElementById("share-link").value = link;
  const code = snippets(state);
  for (const [name, text] of Object.entries(code)) {
    document.getElementById(`share-${name}`).textContent = text;
  }
  return link;
}

// ---------------------------------------------------------------------------------------
// History

const KEY = "glocal.history";
const KEEP = 30;

export function loadHistory() {
  try {
    const list = JSON.parse(window.localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return []; // a damaged entry is forgotten, not fatal
  }
}

/** Remember a query that ran, newest first, without repeats. */
export function remember(state, rows) {
  const entry = { query: state.query ?? null, canned: state.canned ?? null,
    params: [...(state.params ?? [])], view: state.view ?? "table", rows, at: new Date().toISOString() };
  const same = (e) => e.query === entry.query && e.canned === entry.canned
    && JSON.stringify(e.params) === JSON.stringify(entry.params);
  const list = [entry, ...loadHistory().filter((e) => !same(e))].slice(0, KEEP);
  try {
    window.localStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the history is a convenience.
  }
  return list;
}

export function clearHistory() {
  window.localStorage.removeItem(KEY);
}

/** The history as a list of links that reopen each query. */
export function historyList(list) {
  if (!list.length) return h("p", { class: "empty" }, "No queries yet: the ones you run are kept in this browser only.");
  return h("ol", { class: "history-list" }, list.map((entry) => {
    const state = { ...entry, params: new URLSearchParams(entry.params) };
    const title = entry.canned
      ? `${entry.canned}${entry.params.length ? ` (${entry.params.map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}`
      : entry.query.replace(/^\s*#.*$/gm, "").replace(/\s+/g, " ").trim().slice(0, 110);
    const when = new Date(entry.at).toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" });
    return h("li", {}, h("a", { href: urlFor(state) }, title),
      h("small", {}, ` ${when} · ${entry.rows ?? "?"} rows`));
  }));
}
