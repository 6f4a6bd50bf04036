// Observable Plot (with the parts of d3 it uses), for the timeline and bar chart views.
export * from "@observablehq/plot";
