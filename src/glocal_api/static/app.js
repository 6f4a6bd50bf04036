// glocal's query page: a CodeMirror editor, the canned queries as examples, a results
// table and download links. Plain JavaScript, no framework; nothing is loaded from
// outside this server.

const ID = "https://w3id.org/glocal/id/";
const PREFIXES = JSON.parse(document.getElementById("prefixes").textContent);
const JSON_RESULTS = "application/sparql-results+json";
// SELECT/ASK answer as JSON results, CONSTRUCT/DESCRIBE as Turtle.
const ACCEPT = `${JSON_RESULTS}, text/turtle;q=0.9`;
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

/** Create an element with attributes and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

// ---------------------------------------------------------------------------------------
// The editor (a plain textarea if CodeMirror did not load)

const editor = window.CodeMirror
  ? window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
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
if (editor) editor.on("change", () => queryChanged());
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
  const attached = isCanned();
  for (const input of $("params-fields").querySelectorAll("input")) input.disabled = !attached;
  $("params-note").textContent = canned && !attached
    ? "You edited the query, so it runs as written and these parameters are not bound."
    : "";
  updateDownloads();
}

async function loadExample(button) {
  if (button.dataset.sample) {
    canned = null;
    showParameters(null);
    setText($(`sample-${button.dataset.sample}`).textContent);
  } else {
    let queries;
    try {
      queries = await cannedQueries();
    } catch (err) {
      cannedList = null;
      showError(0, "could not load the canned queries", String(err));
      return;
    }
    canned = queries[button.dataset.name] ?? null;
    if (!canned) {
      showError(0, "unknown canned query", `${button.dataset.name} is not in /queries`);
      return;
    }
    showParameters(canned);
    setText(canned.sparql);
  }
  const key = (b) => b.dataset.name || b.dataset.sample;
  for (const other of document.querySelectorAll(".examples .example")) {
    other.toggleAttribute("aria-current", key(other) === key(button));
  }
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
  const started = performance.now();
  try {
    const response = await fetch(url, options);
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok) showError(response.status, response.statusText, body);
    else render(response.headers.get("Content-Type") || "", body, elapsed);
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
  $("results-meta").textContent = meta;
  $("output").replaceChildren(...content);
  $("results").hidden = false;
}

function showError(status, statusText, message) {
  const title = status ? `HTTP ${status}${statusText ? ` ${statusText}` : ""}` : "Error";
  show("failed", h("div", { class: "error", role: "alert" },
    h("p", {}, h("strong", {}, title)),
    h("pre", {}, message.trim() || "(no message)")));
}

function render(contentType, body, elapsed) {
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
  if (!rows.length) {
    show(meta, h("p", { class: "empty" }, "No results."));
    return;
  }
  const table = h("table", {},
    h("thead", {}, h("tr", {}, vars.map((v) => h("th", { scope: "col" }, v)))),
    h("tbody", {}, shown.map((row) => h("tr", {}, vars.map((v) => cell(row[v]))))));
  show(meta, h("div", { class: "table-wrap", tabindex: "0", role: "region",
    "aria-label": "Results table" }, table));
}

// ---------------------------------------------------------------------------------------
// RDF terms

/** A table cell; long texts (quotes) get room to be read. */
function cell(node) {
  const long = node?.type === "literal" && node.value.length > 100;
  return h("td", { class: long ? "long" : null }, term(node));
}

/** An IRI with a known prefix (``city:bristol``), or the IRI itself. */
function compact(iri) {
  let best = null;
  for (const [prefix, ns] of Object.entries(PREFIXES)) {
    const local = iri.slice(ns.length);
    if (iri.startsWith(ns) && /^[\w.~%-]*$/.test(local) && (!best || ns.length > best[1].length)) {
      best = [prefix, ns, local];
    }
  }
  return best ? `${best[0]}:${best[2]}` : iri;
}

// Only glocal's own pages and http(s) or mailto IRIs become links: a javascript: IRI
// in the data must never be something a click runs.
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);

function safeHref(iri) {
  if (iri.startsWith(ID)) return `/id/${iri.slice(ID.length)}`;
  try {
    return LINK_SCHEMES.has(new URL(iri).protocol) ? iri : null;
  } catch {
    return null;
  }
}

function term(node) {
  if (!node) return "";
  if (node.type === "uri") {
    const href = safeHref(node.value);
    if (!href) return h("span", { title: node.value, class: "iri" }, compact(node.value));
    return h("a", { href, title: node.value, class: "iri" }, compact(node.value));
  }
  if (node.type === "bnode") return h("span", { class: "bnode" }, `_:${node.value}`);
  if (node.type === "triple") {
    const { subject, predicate, object } = node.value;
    return h("span", { class: "triple" }, "<< ", term(subject), " ", term(predicate), " ",
      term(object), " >>");
  }
  const lang = node["xml:lang"];
  const datatype = node.datatype;
  return h("span", { class: "literal" }, node.value,
    lang ? h("span", { class: "lang" }, `@${lang}`) : null,
    datatype && !lang ? h("span", { class: "datatype" }, `^^${compact(datatype)}`) : null);
}

updateDownloads();
run(); // the example in the editor, so the page opens with data
