// Page functions for driving a built page through its DOM contract (docs/dom-contract.md).
// Python passes one of them by name to Playwright's evaluate() or wait_for_function()
// (pypage.browser.driver.page_function); `pypage check` and the end-to-end tests share them.

/** @param {string} id @returns {HTMLElement} */
function cellOf(id) {
  return document.querySelector(`[data-pypage-cell="${CSS.escape(id)}"]`);
}

/** Whether the cell's run ended, with or without an error. @param {string} id */
function finished(id) {
  return ["done", "error"].includes(cellOf(id).dataset.state);
}

/**
 * Whether the cell's run ended; a cell asking for input() gets an empty line meanwhile, as if
 * the reader pressed Enter at once.
 * @param {string} id
 */
function settled(id) {
  const field = cellOf(id).querySelector("[data-pypage-input]");
  if (field) field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  // Markdown output is drawn once marked has loaded, which may be after the cell is done.
  return finished(id) && !cellOf(id).querySelector("[data-pypage-output] > .display:empty");
}

/**
 * Press Run, unless the cell already ran or waits to (autorun, hidden setup): its first run counts.
 * @param {string} id
 */
function press(id) {
  const cell = cellOf(id);
  if (!["queued", "running", "done", "error"].includes(cell.dataset.state)) {
    cell.querySelector("[data-pypage-run]").click();
  }
}

/** Whether Python loaded, or failed to. */
function loaded() {
  return ["ready", "error"].includes(document.documentElement.dataset.pypage);
}

/**
 * Follow a link to the site's page at `url`, as a reader does: in-site navigation keeps the
 * interpreter (a fresh namespace for the page's cells); a page it cannot swap in loads normally.
 * @param {string} url
 */
function visit(url) {
  const link = document.createElement("a");
  link.href = url;
  document.body.append(link);
  link.click();
  link.remove();
}

/** Whether the page at `url` is shown, swapped in or loaded. @param {string} url */
function arrived(url) {
  const navigation = document.documentElement.dataset.pypageNavigation;
  return (
    location.href === new URL(url).href && // as the browser writes it: "my notes" → "my%20notes"
    document.readyState === "complete" &&
    navigation !== "loading" &&
    navigation !== "left"
  );
}

/** Whether a memory snapshot the page's Python made is stored (or will never be). */
function snapshotSettled() {
  return document.documentElement.dataset.pypageSnapshot !== "made";
}

/**
 * The cell's state, its output as [kind, text] chunks, the interpreter's state, and the output as
 * markup: what `pypage build --execute` puts in the page, so that recorded output is drawn by the
 * runtime's one renderer. Notices, input fields and buttons are the live page's own; a frame's
 * height is measured again in the reader's browser.
 * @param {string} id
 * @returns {[string, [string, string][], string, string]}
 */
function collect(id) {
  const cell = cellOf(id);
  const out = cell.querySelector("[data-pypage-output]");
  // What the reader typed for input() reads as part of the transcript, as in a terminal.
  const chunks = [...out.children]
    .filter((s) => s.dataset.kind)
    .map((s) => [
      s.dataset.kind === "input" ? "stdout" : s.dataset.kind,
      s.dataset.bundle ?? s.textContent,
    ]);
  const markup = [...out.children]
    .filter((e) => e.dataset.kind && e.dataset.kind !== "notice")
    .map((e) => {
      const copy = e.cloneNode(true);
      for (const frame of copy.querySelectorAll("iframe")) frame.removeAttribute("style");
      return copy.outerHTML;
    })
    .join("");
  return [cell.dataset.state, chunks, document.documentElement.dataset.pypage, markup];
}
