// Cytoscape.js, for the network view of any two IRI columns.
export { default } from "cytoscape";
