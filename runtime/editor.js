// The cell editor: CodeMirror 6 with Python highlighting, indentation, bracket matching and line
// numbers. Loaded when the reader first reaches for a cell's code (page.js), from the site's own
// copy of CodeMirror (the page's import map names its files).
//
// Keyboard: Tab and Shift+Tab indent, so Tab does not leave the editor; Escape then Tab (within
// two seconds) moves focus on, as does Ctrl+M / Shift+Alt+M, which turns tab-focus mode on and off.
// Shift+Enter runs the cell.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { EditorState, Prec } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";

// Token colours (tok-* classes) and the editor's frame live in a stylesheet, so they follow the
// site's light/dark colours through its CSS variables.
const stylesheet = document.createElement("link");
stylesheet.rel = "stylesheet";
stylesheet.href = new URL("./editor.css", import.meta.url).href;
stylesheet.dataset.pypageAdded = ""; // not the page's own: live reload compares those
document.head.append(stylesheet);

const layout = EditorView.theme({
  "&": { backgroundColor: "transparent" },
  ".cm-gutters": { backgroundColor: "transparent", border: "none" },
});

/**
 * @param {object} options
 * @param {string} options.code
 * @param {string} options.label  what assistive technology announces for the editor
 * @param {(code: string) => void} options.onChange
 * @param {() => void} options.onRun  Shift+Enter
 */
export function createEditor({ code, label, onChange, onRun }) {
  const view = new EditorView({
    state: EditorState.create({
      doc: code,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        python(),
        syntaxHighlighting(classHighlighter),
        Prec.highest(keymap.of([{ key: "Shift-Enter", run: () => (onRun(), true) }])),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
        layout,
      ],
    }),
  });
  return {
    dom: view.dom,
    /** The code now in the editor. */
    get code() {
      return view.state.doc.toString();
    },
    /** Replace the code (Reset, taking the author's new version). Calls onChange. */
    set code(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    /** Focus the editor; with a point on the screen (a click), put the caret there. */
    focus(/** @type {{x: number, y: number} | undefined} */ at = undefined) {
      view.focus();
      const position = at ? view.posAtCoords(at) : null;
      if (position !== null) view.dispatch({ selection: { anchor: position } });
    },
    destroy() {
      view.destroy();
    },
  };
}
