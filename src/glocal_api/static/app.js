// glocal's query page: a CodeMirror editor, the canned queries as examples, a results
// table and download links. Plain JavaScript, no framework; nothing is loaded from
// outside this server.

import { attachEditorCompletion, attachParameterCompletion, clearError, goToError, markError } from "./query/assist.js";
import { clearHistory, copy, fillShare, historyList, loadHistory, remember, stateFromUrl } from "./query/share.js";
import { describe, h } from "./query/terms.js";
import { availableViews, disposeViews, renderView, VIEW_NAMES } from "./query/views.js";

const JSON_RESULTS = "application/sparql-results+json";
// SELECT/ASK answer as JSON results, CONSTRUCT/DESCRIBE as Turtle; errors as JSON, so
// that a syntax error's place can be marked in the editor.
const ACCEPT = `${JSON_RESULTS}, text/turtle;q=0.9, application/json;q=0.1`;
const MAX_ROWS = 1000;
const FORMATS = {
  results: [["json", "JSON"], ["xml", "XML"], ["csv", "CSV"], ["tsv", "TSV"]],
  graph: [
    ["ttl", "Turtle"], ["nt", "N-Triples"], ["jsonld", "JSON-LD"],
    ["rdfxml", "RDF/XML"], ["trig", "TriG"], ["nq", "N-Quads"],
  ],
};

const $ = (id) => document.getElementById(id);
const form = $("query-form");
const textarea = $("query");

// ---------------------------------------------------------------------------------------
// The editor (a plain textarea if CodeMirror did not load)

const editor = window.CodeMirror
  ? window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      gutters: ["errors", "CodeMirror-linenumbers"],
      lineWrapping: true,
      indentUnit: 2,
      viewportMargin: Infinity,
      screenReaderLabel: "SPARQL query",
      extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() },
    })
  : null;
const getText = () => (editor ? editor.getValue() : textarea.value);
function setText(text) {
  if (editor) editor.setValue(text);
  else textarea.value = text;
  queryChanged();
}
if (editor) {
  editor.on("change", () => queryChanged());
  attachEditorCompletion(editor);
}
else {
  textarea.addEventListener("input", () => queryChanged());
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
}

// ---------------------------------------------------------------------------------------
// Canned queries: while the editor holds one unedited, it runs through /queries/{name}
// with its parameters; once edited, the editor's text runs as written through /sparql.

let cannedList = null;
let canned = null;

function cannedQueries() {
  cannedList ??= fetch("/queries", { headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} from /queries`);
      return response.json();
    })
    .then((list) => Object.fromEntries(list.map((q) => {
      q.sparql = q.sparql.replace(/\r\n?/g, "\n"); // as the editor holds it
      return [q.name, q];
    })));
  return cannedList;
}

const isCanned = () => canned !== null && getText() === canned.sparql;

function showParameters(query) {
  const fieldset = $("params");
  const fields = $("params-fields");
  fields.replaceChildren();
  fieldset.hidden = !query || query.parameters.length === 0;
  if (fieldset.hidden) return;
  $("params-title").textContent = `Parameters of “${query.title}”`;
  for (const p of query.parameters) {
    const id = `param-${p.name}`;
    fields.append(
      h("div", { class: "param" },
        h("label", { for: id }, p.name, h("span", { class: "type" }, p.type)),
        h("input", {
          id, name: p.name, value: p.default ?? "", required: p.default ? null : "",
          inputmode: p.type === "integer" || p.type === "year" ? "numeric" : null,
          pattern: p.type === "year" ? "\\d{4}" : null,
          autocomplete: "off", spellcheck: "false", "aria-describedby": `${id}-help`,
        }),
        h("small", { id: `${id}-help` }, p.description)),
    );
    attachParameterCompletion(fields.querySelector(`#${CSS.escape(id)}`), p);
  }
}

function parameterValues() {
  const values = new URLSearchParams();
  for (const input of $("params-fields").querySelectorAll("input")) {
    if (input.value.trim()) values.set(input.name, input.value.trim()); // empty: the default
  }
  return values;
}

function queryChanged() {
  clearError(editor);
  const attached = isCanned();
  for (const input of $("params-fields").querySelectorAll("input")) input.disabled = !attached;
  $("params-note").textContent = canned && !attached
    ? "You edited the query, so it runs as written and these parameters are not bound."
    : "";
  updateDownloads();
}

/** Load a canned query into the editor, with parameter values if given; false if unknown. */
async function loadCanned(name, values = null) {
  let queries;
  try {
    queries = await cannedQueries();
  } catch (err) {
    cannedList = null;
    showError(0, "could not load the canned queries", String(err));
    return false;
  }
  canned = queries[name] ?? null;
  if (!canned) {
    showError(0, "unknown canned query", `${name} is not in /queries`);
    return false;
  }
  showParameters(canned);
  for (const [key, value] of values ?? []) {
    const input = $("params-fields").querySelector(`input[name="${CSS.escape(key)}"]`);
    if (input) input.value = value;
  }
  setText(canned.sparql);
  for (const other of document.querySelectorAll(".examples .example")) {
    other.toggleAttribute("aria-current", other.dataset.name === name);
  }
  return true;
}

async function loadExample(button) {
  if (button.dataset.sample) {
    canned = null;
    showParameters(null);
    setText($(`sample-${button.dataset.sample}`).textContent);
    for (const other of document.querySelectorAll(".examples .example")) {
      other.toggleAttribute("aria-current", other.dataset.sample === button.dataset.sample);
    }
  } else if (!(await loadCanned(button.dataset.name))) return;
  // Bring the editor into view, e.g. when the example was chosen from the guide below.
  const top = form.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight / 2) form.scrollIntoView({ behavior: "smooth" });
  run();
}

for (const button of document.querySelectorAll("button.example")) {
  button.addEventListener("click", () => loadExample(button));
}

// ---------------------------------------------------------------------------------------
// Downloads

/** The query's form (SELECT, ASK, CONSTRUCT or DESCRIBE), ignoring IRIs, strings, comments. */
function queryForm(text) {
  const bare = text
    .replace(/<[^<>"{}|^`\\\s]*>/g, "<>")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/#.*$/gm, "");
  const match = bare.match(/(?<![?$:\w-])(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
  return match ? match[1].toUpperCase() : "SELECT";
}

function resultsUrl(format) {
  if (isCanned()) {
    const params = parameterValues();
    params.set("format", format);
    return `/queries/${encodeURIComponent(canned.name)}?${params}`;
  }
  return `/sparql?${new URLSearchParams({ query: getText(), format })}`;
}

function updateDownloads() {
  const shape = queryForm(getText());
  const kind = shape === "CONSTRUCT" || shape === "DESCRIBE" ? "graph" : "results";
  const base = isCanned() ? canned.name : "glocal-query";
  const links = FORMATS[kind].map(([format, label]) =>
    h("a", { href: resultsUrl(format), download: `${base}.${format === "rdfxml" ? "rdf" : format}`, "data-format": format }, label));
  $("download-links").replaceChildren(...links.flatMap((a, i) => (i ? [" ", a] : [a])));
}
$("params-fields").addEventListener("input", updateDownloads);

// ---------------------------------------------------------------------------------------
// The page's state: what runs, and which view shows it. It lives in the URL.

let chosenView = "table";
let raw = false;
let current = null; // the last SELECT results: {vars, rows, meta}

function currentState() {
  return isCanned()
    ? { canned: canned.name, params: parameterValues(), view: chosenView }
    : { query: getText(), params: new URLSearchParams(), view: chosenView };
}

function stateChanged() {
  const link = fillShare(currentState());
  window.history.replaceState(null, "", link.slice(window.location.origin.length));
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () => {
    const field = $(button.dataset.copy);
    copy(field.value ?? field.textContent, field, $("share-status"));
  });
}

function showHistory() {
  $("history-list").replaceChildren(historyList(loadHistory()));
}
$("history-clear").addEventListener("click", () => {
  clearHistory();
  showHistory();
});

// ---------------------------------------------------------------------------------------
// Running a query

let controller = null;

async function run() {
  controller?.abort();
  const mine = (controller = new AbortController());
  const options = { headers: { Accept: ACCEPT }, signal: mine.signal };
  let url = "/sparql";
  if (isCanned()) {
    url = `/queries/${encodeURIComponent(canned.name)}?${parameterValues()}`;
  } else {
    options.method = "POST";
    options.headers["Content-Type"] = "application/x-www-form-urlencoded";
    options.body = new URLSearchParams({ query: getText() });
  }
  setBusy(true);
  clearError(editor);
  stateChanged();
  const started = performance.now();
  try {
    const response = await fetch(url, options);
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok) showError(response.status, response.statusText, body);
    else await render(response.headers.get("Content-Type") || "", body, elapsed, mine);
  } catch (err) {
    if (err.name !== "AbortError") showError(0, "the request failed", String(err));
  } finally {
    if (controller === mine) setBusy(false);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

function setBusy(busy) {
  $("status").textContent = busy ? "Running…" : "";
  $("results").setAttribute("aria-busy", busy ? "true" : "false");
  $("run").classList.toggle("busy", busy);
}

const plural = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
const duration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

function show(meta, ...content) {
  disposeViews();
  $("results-meta").textContent = meta;
  $("output").replaceChildren(...content);
  $("results").hidden = false;
}

function showError(status, statusText, body) {
  const title = status ? `HTTP ${status}${statusText ? ` ${statusText}` : ""}` : "Error";
  let problem = null;
  try {
    problem = JSON.parse(body);
  } catch {
    // Plain text: every error but a syntax error with its place.
  }
  // The hint gets a paragraph of its own, not a second copy inside the message.
  const message = (problem?.error ?? body).replace(problem?.hint ? ` ${problem.hint}` : "", "");
  const where = problem?.line
    ? h("p", {}, h("button", { type: "button", class: "secondary goto" },
      `Go to line ${problem.line}, column ${problem.column}`))
    : null;
  show("failed", h("div", { class: "error", role: "alert" },
    h("p", {}, h("strong", {}, title)),
    h("pre", {}, message.trim() || "(no message)"),
    problem?.hint ? h("p", { class: "hint" }, problem.hint) : null, where));
  if (problem?.line) {
    markError(editor, problem);
    where.querySelector("button").addEventListener("click", () => goToError(editor, problem));
  }
}

async function render(contentType, body, elapsed, mine) {
  current = null;
  if (!contentType.startsWith(JSON_RESULTS)) {
    const lines = body.split("\n").filter((line) => line.trim()).length;
    show(`graph · ${plural(lines, "line")} of Turtle · ${duration(elapsed)}`,
      h("pre", { class: "graph" }, body));
    return;
  }
  const data = JSON.parse(body);
  if ("boolean" in data) {
    show(`ASK · ${duration(elapsed)}`,
      h("p", { class: `ask ${data.boolean}` }, String(data.boolean)));
    return;
  }
  const vars = data.head.vars || [];
  const rows = data.results.bindings;
  const shown = rows.slice(0, MAX_ROWS);
  const meta = `${plural(rows.length, "row")} · ${duration(elapsed)}`
    + (rows.length > shown.length ? ` · showing the first ${MAX_ROWS}, download for all` : "");
  remember(currentState(), rows.length);
  showHistory();
  if (!rows.length) {
    // No rows may mean the sources say nothing of it: point to what the graph covers.
    show(meta, h("p", { class: "empty" }, "No results. The sources may not say this; see what the graph covers on the ",
      h("a", { href: "/coverage" }, "coverage page"), "."));
    return;
  }
  const iris = shown.flatMap((row) => Object.values(row)).filter((n) => n.type === "uri").map((n) => n.value);
  try {
    await describe(iris);
  } catch {
    // Without labels the table shows compact IRIs, and the map needs its own columns.
  }
  if (controller !== mine) return; // a newer query was run meanwhile
  current = { vars, rows: shown, total: rows.length, meta, views: availableViews(vars, shown) };
  await drawView();
}

/** Draw the chosen view of the current results, with the tabs of the views that suit. */
async function drawView() {
  const { vars, rows, meta, views } = current;
  const tabHadFocus = document.activeElement?.getAttribute("role") === "tab";
  const view = views.includes(chosenView) ? chosenView : "table";
  const tabs = h("div", { class: "view-tabs", role: "tablist", "aria-label": "Result views" },
    views.map((name) => {
      const tab = h("button", { type: "button", role: "tab", "data-view": name,
        "aria-selected": String(name === view), "aria-controls": "view" }, VIEW_NAMES[name]);
      tab.addEventListener("click", () => {
        chosenView = name;
        stateChanged();
        if (!current) return; // a new query is running: its results open in this view
        remember(currentState(), current.total); // the history reopens the chosen view
        showHistory();
        drawView();
      });
      return tab;
    }));
  // Arrow keys move between the tabs, as in any tab list.
  tabs.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const all = [...tabs.querySelectorAll("[role=tab]")];
    const next = all[(all.indexOf(document.activeElement) + step + all.length) % all.length];
    next.focus();
    next.click();
  });
  const toggle = h("label", { class: "raw-toggle" },
    h("input", { type: "checkbox", id: "raw", checked: raw ? "" : null }), " raw RDF terms");
  toggle.querySelector("input").addEventListener("change", (event) => {
    raw = event.target.checked;
    drawView();
  });
  let content;
  try {
    content = await renderView(view, vars, rows, { raw });
  } catch (err) {
    content = h("p", { class: "error", role: "alert" }, `The ${VIEW_NAMES[view]} view failed: ${err}`);
  }
  if (current?.rows !== rows) return; // a newer query has answered meanwhile
  show(meta, h("div", { class: "view-bar" }, tabs, view === "table" ? toggle : null),
    h("div", { id: "view", role: "tabpanel", "data-view": view }, content));
  if (tabHadFocus) $("output").querySelector("[role=tab][aria-selected=true]")?.focus();
}

// ---------------------------------------------------------------------------------------
// Start: the state in the URL, or the example in the editor, so the page opens with data.

async function start() {
  const state = stateFromUrl();
  chosenView = state.view || "table";
  showHistory();
  if (state.canned && !(await loadCanned(state.canned, state.params))) return;
  if (!state.canned && state.query) setText(state.query);
  updateDownloads();
  run();
}

start();
