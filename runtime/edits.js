// The reader's edits to a page's cells, kept in localStorage so they survive a reload. Each saved
// edit remembers which version of the author's code it started from (the cell's code hash): when
// the author has since changed the cell, the reader is asked whether to keep their version or take
// the new one.

// "/notes/" and "/notes/index.html" are one page.
const keyOf = (/** @type {string} */ url) =>
  `pypage:edits:${new URL(url).pathname.replace(/\/index\.html$/, "/")}`;
let key = keyOf(location.href);

/**
 * In-site navigation showed the page at `url`: edits are its own from now on. (Not read from the
 * address bar: Back changes it before the page it names is shown.)
 */
export function editsOf(/** @type {string} */ url) {
  key = keyOf(url);
}

/** @typedef {{hash: string, code: string}} SavedEdit */

/** @returns {Record<string, SavedEdit>} */
function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(key) ?? "{}");
    return saved && typeof saved === "object" ? saved : {};
  } catch {
    return {}; // storage disabled (some private windows) or unreadable: start afresh
  }
}

function store(/** @type {Record<string, SavedEdit>} */ edits) {
  try {
    if (Object.keys(edits).length) localStorage.setItem(key, JSON.stringify(edits));
    else localStorage.removeItem(key);
  } catch {
    // Full or disabled storage: the edit lives as long as the page does.
  }
}

/** The saved edit of a cell, if any. @returns {SavedEdit | null} */
export function savedEdit(/** @type {string} */ id) {
  const edit = load()[id];
  return edit && typeof edit.code === "string" && typeof edit.hash === "string" ? edit : null;
}

/**
 * Remember the reader's code for a cell; code equal to the author's is no edit at all.
 * @param {{id: string, codeHash: string, original: string}} cell
 */
export function saveEdit(cell, /** @type {string} */ code) {
  const edits = load();
  if (code === cell.original) delete edits[cell.id];
  else edits[cell.id] = { hash: cell.codeHash, code };
  store(edits);
}
