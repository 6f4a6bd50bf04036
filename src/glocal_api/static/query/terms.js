// RDF terms on the query page: compact names, safe links, labels and clean literals.

export const ID = "https://w3id.org/glocal/id/";
export const PREFIXES = JSON.parse(document.getElementById("prefixes").textContent);
const XSD = "http://www.w3.org/2001/XMLSchema#";
export const NUMERIC = new Set(["integer", "decimal", "double", "float", "int", "long",
  "nonNegativeInteger", "positiveInteger", "short"].map((t) => XSD + t));
export const TEMPORAL = new Set(["gYear", "date", "dateTime", "gYearMonth"].map((t) => XSD + t));

/** Create an element with attributes and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

/** An IRI with a known prefix (``city:bristol``), or the IRI itself. */
export function compact(iri) {
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

export function safeHref(iri) {
  if (iri.startsWith(ID)) return `/id/${iri.slice(ID.length)}`;
  try {
    return LINK_SCHEMES.has(new URL(iri).protocol) ? iri : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// Labels and coordinates of result IRIs, fetched in batches with VALUES and remembered.

const known = new Map(); // IRI -> {label, lat, long}
const BATCH = 150;
const INFO_QUERY = (values) => `SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?long)
WHERE { VALUES ?x { ${values} }
  OPTIONAL { ?x rdfs:label ?l FILTER(LANG(?l) IN ("", "en")) }
  OPTIONAL { ?x geo:lat ?la ; geo:long ?lo } } GROUP BY ?x`;

/** Labels and coordinates of these IRIs (only glocal's own are asked for). */
export async function describe(iris) {
  const wanted = [...new Set(iris)].filter((iri) => iri.startsWith(ID) && !known.has(iri)
    && /^[^<>"{}|^`\\\s]*$/.test(iri));
  for (let i = 0; i < wanted.length; i += BATCH) {
    const chunk = wanted.slice(i, i + BATCH);
    const body = new URLSearchParams({ query: INFO_QUERY(chunk.map((iri) => `<${iri}>`).join(" ")) });
    const response = await fetch("/sparql", {
      method: "POST", body, headers: { Accept: "application/sparql-results+json" },
    });
    if (!response.ok) break; // labels are a courtesy: the table still shows compact IRIs
    for (const row of (await response.json()).results.bindings) {
      known.set(row.x.value, {
        label: row.label?.value ?? null,
        lat: row.lat ? Number(row.lat.value) : null,
        long: row.long ? Number(row.long.value) : null,
      });
    }
    for (const iri of chunk) if (!known.has(iri)) known.set(iri, { label: null });
  }
  return known;
}

export const info = (iri) => known.get(iri) ?? null;
export const labelOf = (node) => (node?.type === "uri" ? info(node.value)?.label ?? compact(node.value)
  : node?.value ?? "");

/** A term as shown: labels and bare literals, or (raw) compact IRIs with tags and types. */
export function term(node, raw = false) {
  if (!node) return "";
  if (node.type === "uri") {
    const label = raw ? null : info(node.value)?.label;
    const text = label ?? compact(node.value);
    const href = safeHref(node.value);
    const title = label ? `${compact(node.value)} · ${node.value}` : node.value;
    if (!href) return h("span", { title: node.value, class: "iri" }, compact(node.value));
    return h("a", { href, title, class: label ? "iri labelled" : "iri" }, text);
  }
  if (node.type === "bnode") return h("span", { class: "bnode" }, `_:${node.value}`);
  if (node.type === "triple") {
    const { subject, predicate, object } = node.value;
    return h("span", { class: "triple" }, "<< ", term(subject, raw), " ", term(predicate, raw),
      " ", term(object, raw), " >>");
  }
  const lang = node["xml:lang"];
  const datatype = node.datatype;
  if (!raw) return h("span", { class: "literal", lang: lang || null }, node.value);
  return h("span", { class: "literal" }, node.value,
    lang ? h("span", { class: "lang" }, `@${lang}`) : null,
    datatype && !lang ? h("span", { class: "datatype" }, `^^${compact(datatype)}`) : null);
}
