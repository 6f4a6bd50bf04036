// Result views: table, map, network, timeline and bar chart. Each view says whether the
// results suit it; the libraries (Observable Plot, Cytoscape.js) are loaded from
// /static/vendor only when their view is opened.

import { h, info, labelOf, NUMERIC, safeHref, TEMPORAL, term } from "./terms.js";

const MAX_ROWS = 1000;
const isIri = (node) => node?.type === "uri";
const column = (rows, v) => rows.map((row) => row[v]).filter(Boolean);
const mostly = (nodes, test) => nodes.length > 0 && nodes.filter(test).length >= nodes.length * 0.8;
const yearOf = (node) => {
  const match = node && /^(-?\d{4})(?:-(\d\d)(?:-(\d\d))?)?/.exec(node.value);
  return match ? new Date(Date.UTC(+match[1], (+match[2] || 1) - 1, +match[3] || 1)) : null;
};
const isTemporal = (node) => node?.type === "literal" && TEMPORAL.has(node.datatype) && yearOf(node);
const isNumber = (node) => node?.type === "literal" && NUMERIC.has(node.datatype);

/** What each view needs from the results, or null when they do not suit it. */
function shapes(vars, rows) {
  const iriVars = vars.filter((v) => mostly(column(rows, v), isIri));
  const byName = (re) => vars.find((v) => re.test(v) && mostly(column(rows, v), (n) => !Number.isNaN(Number(n.value))));
  const lat = byName(/^(lat|latitude)$/i);
  const long = byName(/^(long|lon|lng|longitude)$/i);
  const placed = iriVars.find((v) => column(rows, v).some((n) => info(n.value)?.lat != null));
  const when = vars.find((v) => mostly(column(rows, v), isTemporal));
  const number = vars.find((v) => mostly(column(rows, v), isNumber));
  const label = vars.find((v) => v !== number && v !== when && column(rows, v).length
    && !mostly(column(rows, v), isNumber));
  return {
    table: true,
    map: lat && long ? { lat, long, label } : placed ? { place: placed } : null,
    network: iriVars.length >= 2 ? { from: iriVars[0], to: iriVars[1], columns: iriVars } : null,
    timeline: when ? { when, label: label ?? when } : null,
    chart: number && label ? { number, label } : null,
  };
}

export const VIEW_NAMES = { table: "Table", map: "Map", network: "Network", timeline: "Timeline", chart: "Bar chart" };

/** The views that suit these results, in the order of the tabs. */
export function availableViews(vars, rows) {
  const found = shapes(vars, rows);
  return Object.keys(VIEW_NAMES).filter((name) => found[name]);
}

/** Render one view of the results into a new element. */
export async function renderView(name, vars, rows, { raw = false } = {}) {
  const shape = shapes(vars, rows)[name];
  const render = { table, map, network, timeline, chart }[name];
  return render(vars, rows.slice(0, MAX_ROWS), shape, raw);
}

function table(vars, rows, _shape, raw) {
  const cell = (v, node) => {
    const long = node?.type === "literal" && node.value.length > 100;
    return h("td", { class: long ? "long" : node ? null : "unbound", "data-label": v }, term(node, raw));
  };
  return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Results table" },
    h("table", {},
      h("thead", {}, h("tr", {}, vars.map((v) => h("th", { scope: "col" }, v)))),
      h("tbody", {}, rows.map((row) => h("tr", {}, vars.map((v) => cell(v, row[v])))))));
}

// ---------------------------------------------------------------------------------------
// Map: the world outline shipped with the report (equirectangular: x = long + 180,
// y = 90 - lat), zoomed to the points.

let world = null;
const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, ...children) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
};

async function map(vars, rows, shape) {
  world ??= fetch("/static/vendor/world-110m.json").then((r) => r.json());
  const points = new Map();
  for (const row of rows) {
    let lat; let long; let node;
    if (shape.place) {
      node = row[shape.place];
      ({ lat, long } = (node && info(node.value)) || {});
    } else {
      lat = Number(row[shape.lat]?.value);
      long = Number(row[shape.long]?.value);
      node = row[shape.label];
    }
    if (lat == null || long == null || Number.isNaN(lat) || Number.isNaN(long)) continue;
    const key = `${lat},${long}`;
    const point = points.get(key) ?? { lat, long, node, rows: 0 };
    point.rows += 1;
    points.set(key, point);
  }
  const outline = await world;
  const all = [...points.values()];
  const xs = all.map((p) => p.long + 180);
  const ys = all.map((p) => 90 - p.lat);
  const pad = 8;
  let [x0, x1, y0, y1] = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad];
  if (!all.length) [x0, x1, y0, y1] = [0, 360, 0, 180];
  const width = Math.max(x1 - x0, 40); const height = Math.max(y1 - y0, 20, width / 2.2);
  const cx = (x0 + x1) / 2; const cy = (y0 + y1) / 2;
  const box = [cx - width / 2, cy - height / 2, width, height];
  const r = Math.max(width / 160, 0.4);
  const dots = all.map((p) => {
    const href = p.node?.type === "uri" ? safeHref(p.node.value) : null;
    const name = labelOf(p.node) || `${p.lat}, ${p.long}`;
    const dot = svg("circle", { cx: p.long + 180, cy: 90 - p.lat, r: r * Math.min(1 + Math.log2(p.rows) / 2, 3), class: "dot" },
      svg("title", {}, `${name} (${p.rows} row${p.rows === 1 ? "" : "s"})`));
    return href ? svg("a", { href, "aria-label": name }, dot) : dot;
  });
  const figure = svg("svg", { viewBox: box.join(" "), class: "world", role: "img",
    "aria-label": `Map of ${all.length} places` },
  svg("rect", { x: box[0], y: box[1], width, height, class: "sea" }),
  svg("path", { d: outline.path, class: "land" }), ...dots);
  return h("figure", { class: "view-map" }, figure,
    h("figcaption", {}, `${all.length} places from ${rows.length} rows`
      + (shape.place ? ` (the coordinates of ?${shape.place})` : ` (?${shape.lat}, ?${shape.long})`)
      + `. Outline: Natural Earth 1:110m, ${outline.projection.split(":")[0]}.`));
}

// ---------------------------------------------------------------------------------------
// Network: the first two IRI columns as edges.

let graph = null; // the Cytoscape instance on screen, destroyed before the view is replaced

/** Stop the network view's renderer; call before its element leaves the page. */
export function disposeViews() {
  graph?.destroy();
  graph = null;
}

async function network(vars, rows, shape) {
  const { default: cytoscape } = await import("/static/vendor/cytoscape.js");
  const nodes = new Map();
  const edges = new Map();
  for (const row of rows) {
    const a = row[shape.from]; const b = row[shape.to];
    if (!isIri(a) || !isIri(b)) continue;
    for (const [n, side] of [[a, "from"], [b, "to"]]) {
      if (!nodes.has(n.value)) nodes.set(n.value, { id: n.value, label: labelOf(n), side, degree: 0 });
    }
    const key = `${a.value} ${b.value}`;
    if (!edges.has(key)) {
      edges.set(key, { id: key, source: a.value, target: b.value });
      nodes.get(a.value).degree += 1; nodes.get(b.value).degree += 1;
    }
  }
  const box = h("div", { class: "network", role: "img",
    "aria-label": `Network of ${nodes.size} nodes and ${edges.size} links between ?${shape.from} and ?${shape.to}` });
  // Any two IRI columns: the reader picks which link to which.
  const picker = (side, label) => {
    const select = h("select", { "aria-label": label, "data-side": side },
      shape.columns.map((v) => h("option", { value: v, selected: v === shape[side] ? "" : null }, `?${v}`)));
    select.addEventListener("change", async () => {
      const other = side === "from" ? "to" : "from";
      const next = { ...shape, [side]: select.value };
      if (next[other] === select.value) next[other] = shape[side]; // swap rather than loop
      wrap.replaceWith(await network(vars, rows, next));
    });
    return select;
  };
  const wrap = h("figure", { class: "view-network" },
    h("p", { class: "network-columns" }, "Link ", picker("from", "From column"), " (blue) to ",
      picker("to", "To column"), " (orange)"),
    box,
    h("figcaption", {}, `${nodes.size} nodes, ${edges.size} links. Click a node to open its page.`));
  requestAnimationFrame(() => {
    if (!box.isConnected) return; // replaced before it was drawn
    disposeViews();
    const cy = cytoscape({
      container: box,
      elements: [...[...nodes.values()].map((data) => ({ data })), ...[...edges.values()].map((data) => ({ data }))],
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120,
          width: "mapData(degree, 1, 20, 8, 28)", height: "mapData(degree, 1, 20, 8, 28)", "background-color": "#1b5fa6" } },
        { selector: "node[side = 'to']", style: { "background-color": "#d9822b" } },
        { selector: "edge", style: { width: 1, "line-color": "#9aa5b5", "curve-style": "haystack" } },
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 8000, idealEdgeLength: () => 60 },
      wheelSensitivity: 0.3,
      maxZoom: 1.6, // a few nodes are not drawn huge
    });
    cy.on("tap", "node", (event) => {
      const href = safeHref(event.target.id());
      if (href) window.location.assign(href);
    });
    box.cy = cy; // for tests and the console
    graph = cy;
  });
  return wrap;
}

// ---------------------------------------------------------------------------------------
// Timeline and bar chart, drawn by Observable Plot.

const SHORT = 40;
const short = (text) => (text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text);
/** Room for the longest (shortened) label on the left, and the width of the results box. */
function frame(labels) {
  const width = Math.max(document.getElementById("output")?.clientWidth || 900, 300);
  const longest = Math.max(...labels.map((l) => short(l).length), 4);
  return { width, marginLeft: Math.min(8 + 6.5 * longest, 270, width * 0.45) };
}
/** Whole years from the first to the last, at most about ten ticks. */
function yearTicks(years) {
  const [first, last] = [Math.min(...years), Math.max(...years)];
  const step = Math.max(1, Math.ceil((last - first) / 10));
  return Array.from({ length: Math.floor((last - first) / step) + 1 }, (_, i) => first + i * step);
}

async function timeline(vars, rows, shape) {
  const Plot = await import("/static/vendor/plot.js");
  const data = rows.filter((row) => yearOf(row[shape.when]))
    .map((row) => ({ when: yearOf(row[shape.when]), label: labelOf(row[shape.label]) }));
  const labels = [...new Set(data.map((d) => d.label))];
  // Years alone (gYear) read best as whole numbers, not as dates on 1 January.
  const yearsOnly = rows.every((row) => !row[shape.when] || /^-?\d{4}$/.test(row[shape.when].value));
  const x = yearsOnly ? (d) => d.when.getUTCFullYear() : "when";
  const plot = Plot.plot({
    ...frame(labels), height: 50 + labels.length * 22, inset: 12,
    x: yearsOnly
      ? { label: `?${shape.when}`, tickFormat: "d", ticks: yearTicks(data.map((d) => d.when.getUTCFullYear())) }
      : { label: `?${shape.when}`, type: "utc" },
    y: { label: null, domain: labels, tickFormat: short },
    marks: [Plot.ruleY(labels, { stroke: "#e4e8ee" }),
      Plot.dot(data, { x, y: "label", fill: "#1b5fa6", r: 5, title: (d) => `${d.label}: ${d.when.toISOString().slice(0, yearsOnly ? 4 : 10)}` })],
  });
  return h("figure", { class: "view-plot" }, plot,
    h("figcaption", {}, `${data.length} dated rows by ?${shape.when}, one line per ?${shape.label}`));
}

async function chart(vars, rows, shape) {
  const Plot = await import("/static/vendor/plot.js");
  const data = rows.filter((row) => isNumber(row[shape.number]))
    .map((row) => ({ label: labelOf(row[shape.label]), value: Number(row[shape.number].value) }));
  const plot = Plot.plot({
    ...frame(data.map((d) => d.label)), height: 50 + data.length * 22,
    x: { label: `?${shape.number}`, grid: true }, y: { label: null, tickFormat: short },
    marks: [Plot.barX(data, { x: "value", y: "label", fill: "#1b5fa6", sort: { y: "-x" }, title: (d) => `${d.label}: ${d.value}` }),
      Plot.ruleX([0])],
  });
  return h("figure", { class: "view-plot" }, plot, h("figcaption", {}, `?${shape.number} by ?${shape.label}`));
}
