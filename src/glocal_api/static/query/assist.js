// Help while writing: completions from /complete in the editor and in parameter
// fields, and a syntax error marked at its line and column.

import { h } from "./terms.js";

const WORD = /[\p{L}\p{N}_:.-]+$/u;

async function suggestions(text, extra = {}) {
  const url = `/complete?${new URLSearchParams({ prefix: text, limit: "15", ...extra })}`;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  return response.ok ? response.json() : [];
}

const describe = (s) => (s.kind === "prefix" ? s.iri
  : `${s.label}${s.type ? ` · ${s.type}` : s.kind !== "resource" ? ` · ${s.kind}` : ""} · ${s.count.toLocaleString("en")}`);

/** Completions in the CodeMirror editor: Ctrl+Space, or by themselves after 3 letters. */
export function attachEditorCompletion(editor) {
  const CodeMirror = window.CodeMirror;
  if (!editor || !CodeMirror?.showHint) return;
  const hint = async (cm) => {
    const cursor = cm.getCursor();
    const before = cm.getLine(cursor.line).slice(0, cursor.ch);
    const word = before.match(WORD)?.[0] ?? "";
    if (!word || word.startsWith("?")) return null;
    const from = CodeMirror.Pos(cursor.line, cursor.ch - word.length);
    const found = await suggestions(word);
    return {
      from, to: cursor,
      list: found.map((s) => ({
        text: s.curie,
        displayText: s.curie,
        render: (element) => element.append(h("span", { class: "hint-curie" }, s.curie),
          h("span", { class: "hint-label" }, describe(s))),
      })),
    };
  };
  const show = (cm) => cm.showHint({ hint: (cm2) => hint(cm2), completeSingle: false });
  editor.addKeyMap({ "Ctrl-Space": show });
  editor.on("inputRead", (cm, change) => {
    if (change.origin !== "+input" || cm.state.completionActive) return;
    const cursor = cm.getCursor();
    const word = cm.getLine(cursor.line).slice(0, cursor.ch).match(WORD)?.[0] ?? "";
    const inComment = /#/.test(cm.getLine(cursor.line).slice(0, cursor.ch));
    if (!inComment && (word.length >= 3 || word.endsWith(":"))) show(cm);
  });
}

/** A datalist of matching resources under an IRI parameter's field, as the user types. */
export function attachParameterCompletion(input, parameter) {
  if (parameter.type !== "iri") return;
  const list = h("datalist", { id: `${input.id}-options` });
  input.setAttribute("list", list.id);
  input.after(list);
  let pending = 0;
  const update = async () => {
    const mine = ++pending;
    const text = input.value.trim();
    if (text.length < 2) return;
    // The parameter's name usually names the class (city, network, declaration).
    let found = await suggestions(text, { kind: "resource", type: parameter.name });
    if (!found.length) found = await suggestions(text, { kind: "resource" });
    if (mine !== pending) return;
    list.replaceChildren(...found.map((s) => h("option", { value: s.curie, label: `${s.label} · ${s.type}` })));
  };
  input.addEventListener("input", update);
}

// ---------------------------------------------------------------------------------------
// Syntax errors

let marks = [];

export function clearError(editor) {
  for (const clear of marks) clear();
  marks = [];
  if (editor) editor.clearGutter("errors");
}

/** Mark the place of a syntax error ({line, column, found, hint}) in the editor. */
export function markError(editor, problem) {
  clearError(editor);
  if (!editor || !problem.line) return;
  const line = Math.min(problem.line - 1, editor.lastLine());
  const ch = Math.max(problem.column - 1, 0);
  const length = problem.found && !problem.found.startsWith("the end") ? problem.found.length : 1;
  const text = editor.getLine(line);
  const from = { line, ch: Math.min(ch, text.length) };
  const to = { line, ch: Math.min(ch + length, text.length) };
  if (from.ch === to.ch) from.ch = Math.max(0, from.ch - 1);
  const mark = editor.markText(from, to, { className: "cm-syntax-error", attributes: { title: problem.hint || "syntax error" } });
  editor.addLineClass(line, "background", "cm-error-line");
  editor.setGutterMarker(line, "errors", h("span", { class: "error-marker", title: problem.hint || "syntax error" }, "●"));
  marks.push(() => mark.clear(), () => editor.removeLineClass(line, "background", "cm-error-line"));
}

/** Put the cursor on the error, for the "line L, column C" button. */
export function goToError(editor, problem) {
  if (!editor) return;
  editor.focus();
  editor.setCursor({ line: problem.line - 1, ch: Math.max(problem.column - 1, 0) });
  editor.scrollIntoView(null, 80);
}
