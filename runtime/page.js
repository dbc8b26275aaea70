// pypage's page runtime: binds the page's cells and starts Python when the reader needs it —
// on the first Run, or once the page is idle after first paint, never before.

import { Cell, Session } from "./session.js";

const root = document.documentElement;
const config = JSON.parse(document.getElementById("pypage-config")?.textContent ?? "{}");
const status = document.querySelector("[data-pypage-status]");

const cells = [...document.querySelectorAll("[data-pypage-cell]")].map(
  (element) => new Cell(/** @type {HTMLElement} */ (element)),
);

const session = new Session({
  cells,
  config,
  onStatus(state, text) {
    root.dataset.pypage = state;
    if (status) status.textContent = text;
  },
});

root.dataset.pypage = "idle";

let firstOutput = true;
for (const cell of cells) {
  cell.element.querySelector("[data-pypage-run]")?.addEventListener("click", () => session.run(cell));
  cell.element.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.shiftKey) {
      event.preventDefault();
      session.run(cell);
    }
  });
  cell.output.onFirstText = () => {
    if (firstOutput) performance.mark("pypage:first-output");
    firstOutput = false;
  };
}

whenIdleAfterPaint(() => {
  session.start();
  for (const cell of cells) if (cell.autorun) session.run(cell);
});

function whenIdleAfterPaint(/** @type {() => void} */ callback) {
  const afterPaint = () =>
    requestAnimationFrame(() =>
      setTimeout(() => {
        if ("requestIdleCallback" in window) requestIdleCallback(callback, { timeout: 1000 });
        else callback();
      }),
    );
  if (document.readyState === "complete") afterPaint();
  else addEventListener("load", afterPaint, { once: true });
}
