// pypage's page runtime: binds the page's cells and starts Python when the reader needs it —
// on the first Run, or once the page is idle after first paint, never before.

import { ANSWER_PATH } from "./answers.js";
import { editsOf, saveEdit, savedEdit } from "./edits.js";
import { fitFrame } from "./output.js";
import { Cell, Session } from "./session.js";

const root = document.documentElement;
const readConfig = () =>
  /** @type {import("./types/protocol.js").PageConfig} */ (
    JSON.parse(document.getElementById("pypage-config")?.textContent ?? "{}")
  );
const findCells = () =>
  [...document.querySelectorAll("[data-pypage-cell]")].map(
    (element) => new Cell(/** @type {HTMLElement} */ (element)),
  );

// The page shown. In-site navigation (navigate.js) replaces it; the session, and its interpreter,
// stay for the whole visit.
let config = readConfig();
let cells = findCells();
let status = document.querySelector("[data-pypage-status]");
let statusText = "";

const newSession = () =>
  new Session({
    cells,
    config,
    onStatus(state, text) {
      root.dataset.pypage = state;
      statusText = text;
      if (status) status.textContent = text;
    },
    onFetched: keepForNextVisit,
    onSnapshot(state) {
      root.dataset.pypageSnapshot = state;
    },
    answersURL,
  });
let session = newSession();

root.dataset.pypage = "idle";

let firstOutput = true;
let pagesShown = 0;
function bind(/** @type {Cell[]} */ list) {
  for (const cell of list) {
    cell.element.querySelector("[data-pypage-run]")?.addEventListener("click", () => {
      if (cell.state === "running" || cell.state === "queued") session.stop(cell);
      else session.run(cell);
    });
    cell.element.querySelector("[data-pypage-reset]")?.addEventListener("click", () => {
      setCode(cell, cell.original);
      cell.editor?.focus();
    });
    cell.element.addEventListener("keydown", (event) => {
      // The editor runs the cell on Shift+Enter itself (and marks the event handled).
      if (event.key === "Enter" && event.shiftKey && !event.defaultPrevented) {
        event.preventDefault();
        session.run(cell);
      }
    });
    // Reaching for the code before the editor loaded loads it now; a click into the code puts the
    // caret there once it has.
    cell.element.addEventListener("focusin", loadEditors, { once: true });
    /** @type {HTMLElement | null} */ (cell.element.querySelector(".pypage-code"))?.addEventListener(
      "pointerdown",
      (event) => {
        clickedCode = { cell, x: event.clientX, y: event.clientY };
        loadEditors();
      },
      { once: true },
    );
    restoreEdit(cell);
    cell.output.onFirstText = () => {
      if (firstOutput) performance.mark("pypage:first-output");
      firstOutput = false;
    };
  }
}

/** Bind the page shown: its cells, recorded HTML output, toolbar; start Python as it needs. */
function showPage() {
  bind(cells);
  if (editorModule) editorModule.then((module) => attachEditors(module, cells));
  // HTML output recorded at build time sits in frames that need sizing to their content.
  const frames = /** @type {NodeListOf<HTMLIFrameElement>} */ (
    document.querySelectorAll("[data-pypage-output] iframe.pypage-html")
  );
  for (const iframe of frames) {
    if (iframe.contentDocument?.readyState === "complete") fitFrame(iframe);
    else iframe.addEventListener("load", () => fitFrame(iframe));
  }
  // Page toolbar (theme templates place it; each control is optional).
  const control = (/** @type {string} */ name) => document.querySelector(`[data-pypage-${name}]`);
  control("run-all")?.addEventListener("click", () => session.runAll());
  control("restart")?.addEventListener("click", () => session.restart());
  control("clear")?.addEventListener("click", () => session.clearOutputs());
  if (status) status.textContent = statusText;
  // Pages with autorun cells need Python at once; others wait until the page is idle as well.
  const hasAutorun = cells.some((cell) => cell.autorun);
  const page = ++pagesShown;
  afterFirstPaint(() => {
    const begin = () => {
      if (page !== pagesShown) return; // the reader went on to another page meanwhile
      session.start();
      // On slides, autorun cells wait for their slide to be shown (slides.js).
      if (config.layout !== "slides") for (const cell of cells) if (cell.autorun) session.run(cell);
      // The editor (CodeMirror: a megabyte of JavaScript) loads only when the reader reaches for
      // a cell's code (bind); until then the code is the highlighted text. Its files are handed to
      // the service worker once Python answered, so the editor is there offline on a later visit
      // without being fetched, parsed or run on this one.
      session.whenReady(() => whenIdle(keepEditorForNextVisit));
    };
    if (hasAutorun) begin();
    else whenIdle(begin);
  });
}

// In-site navigation showed another page (see navigate.js). Its cells get a fresh namespace in
// the same interpreter; a page of the other interpreter gets a session of its own; a page without
// cells leaves the interpreter waiting for the next page that has some.
document.addEventListener("pypage:page", (event) => {
  editsOf(/** @type {CustomEvent<{url: string}>} */ (event).detail.url);
  for (const cell of cells) cell.editor?.destroy();
  const next = readConfig();
  cells = findCells();
  status = document.querySelector("[data-pypage-status]");
  firstOutput = true;
  clickedCode = null;
  if (!cells.length) return session.newPage([], config);
  if (next.interpreter !== config.interpreter) {
    session.end();
    config = next;
    root.dataset.pypage = "idle";
    statusText = "";
    delete root.dataset.pypageSnapshot;
    session = newSession();
    session.prepare();
  } else {
    config = next;
    session.newPage(cells, config);
  }
  showPage();
});

// pypage serve replaced the page's content after an edit: the same interpreter (and the variables
// the reader's cells set) carries on with the new cells.
document.addEventListener("pypage:content-replaced", () => {
  cells = findCells();
  session.rebind(cells);
  bind(cells);
  if (editorModule) editorModule.then((module) => attachEditors(module, cells));
});

// Editing. A reader's edits are saved per page (edits.js) and shown before the editor loads.
function restoreEdit(/** @type {Cell} */ cell) {
  const saved = cell.readonly || cell.hidden ? null : savedEdit(cell.id);
  if (!saved || saved.code === cell.original) return;
  cell.code = saved.code;
  const code = cell.element.querySelector(".pypage-code code");
  if (code) code.textContent = saved.code; // plain until the editor highlights it
  showReset(cell);
  if (saved.hash !== cell.codeHash) askAboutNewVersion(cell);
}

/** The author changed the cell after the reader edited it: keep the edit, or take the new code? */
function askAboutNewVersion(/** @type {Cell} */ cell) {
  const notice = document.createElement("div");
  notice.className = "pypage-edit-notice";
  notice.setAttribute("data-pypage-edit-notice", "");
  notice.setAttribute("role", "status");
  notice.textContent = "You edited an earlier version of this cell; the page has changed since. ";
  const choice = (/** @type {string} */ label, /** @type {() => void} */ then) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", () => {
      notice.remove();
      then();
      cell.editor?.focus();
    });
    notice.append(button, " ");
    return button;
  };
  choice("Keep my version", () => saveEdit(cell, cell.code)).dataset.pypageKeep = "";
  choice("Use the new version", () => setCode(cell, cell.original)).dataset.pypageTakeNew = "";
  cell.element.querySelector(".pypage-code")?.before(notice);
}

function showReset(/** @type {Cell} */ cell) {
  const reset = cell.element.querySelector("[data-pypage-reset]");
  if (reset instanceof HTMLElement) reset.hidden = cell.code === cell.original;
}

/** The code changed, by the reader or by Reset: remember it and mark the cells below stale. */
function changed(/** @type {Cell} */ cell, /** @type {string} */ code) {
  cell.edited(code);
  saveEdit(cell, code);
  showReset(cell);
  session.refreshStale();
}

function setCode(/** @type {Cell} */ cell, /** @type {string} */ code) {
  cell.element.querySelector("[data-pypage-edit-notice]")?.remove();
  if (cell.editor) {
    cell.editor.code = code; // the editor reports the change
    return;
  }
  const element = cell.element.querySelector(".pypage-code code");
  if (element) element.textContent = code;
  changed(cell, code);
}

/** @type {Promise<typeof import("./editor.js")> | null} */
let editorModule = null;
/** @type {{cell: Cell, x: number, y: number} | null} where the reader clicked into a cell's code
 * before the editor was there: the caret goes there once it is */
let clickedCode = null;

/** Load CodeMirror (once) and turn every editable cell's code into an editor. */
function loadEditors() {
  if (editorModule) return;
  root.dataset.pypageEditor = "loading";
  editorModule = import("./editor.js");
  editorModule.then(
    (module) => {
      attachEditors(module, cells); // the cells of the page shown when it arrives
      root.dataset.pypageEditor = "ready";
      editorHandedOver = true;
      keepForNextVisit([]); // the page's own requests name the editor's files now
    },
    () => (root.dataset.pypageEditor = "failed"), // the code stays readable, and runs
  );
}

/** The editor's files: its module, its stylesheet, and the CodeMirror modules the import map
 * names. */
function editorFiles() {
  const map = document.querySelector('script[type="importmap"]')?.textContent;
  /** @type {Record<string, string>} */
  const imports = map ? (JSON.parse(map).imports ?? {}) : {};
  return [
    new URL("./editor.js", import.meta.url).href,
    new URL("./editor.css", import.meta.url).href,
    ...Object.values(imports).map((url) => new URL(url, location.href).href),
  ];
}

function keepEditorForNextVisit() {
  if (editorModule || editorHandedOver) return; // loadEditors hands them over, or did already
  editorHandedOver = true;
  keepForNextVisit(editorFiles());
}

function attachEditors(/** @type {typeof import("./editor.js")} */ module, /** @type {Cell[]} */ list) {
  for (const cell of list) {
    const pre = cell.element.querySelector(".pypage-code pre");
    if (cell.readonly || cell.hidden || cell.editor || !pre) continue;
    cell.editor = module.createEditor({
      code: cell.code,
      label: `Code of cell ${cell.id}. Shift+Enter runs it; Escape then Tab leaves the editor.`,
      onChange: (code) => changed(cell, code),
      onRun: () => session.run(cell),
    });
    pre.replaceWith(cell.editor.dom);
    // Unless the reader moved on meanwhile (focus elsewhere than the clicked cell).
    const focus = document.activeElement;
    if (clickedCode?.cell === cell && (focus === document.body || cell.element.contains(focus))) {
      cell.editor.focus(clickedCode);
    }
  }
}

/** Where the service worker takes input() answers, when it controls this page. */
function answersURL() {
  if (!config.serviceWorker || !navigator.serviceWorker?.controller) return null;
  return new URL(ANSWER_PATH, new URL(config.serviceWorker.url, location.href)).href;
}
navigator.serviceWorker?.addEventListener("controllerchange", () => session.answersChanged());

session.prepare();
showPage();

/** Call back once the page is idle (at once in browsers that cannot tell). */
function whenIdle(/** @type {() => void} */ callback) {
  if ("requestIdleCallback" in window) requestIdleCallback(callback, { timeout: 1000 });
  else callback();
}

/** Call back once the browser has recorded the page's first contentful paint. */
function afterFirstPaint(/** @type {() => void} */ callback) {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      callback();
    }
  };
  const painted = () => performance.getEntriesByName("first-contentful-paint").length > 0;
  if (painted()) return once();
  // The paint entry is checked every frame as well: observer callbacks arrive late, at low priority.
  const poll = () => (painted() ? once() : done || requestAnimationFrame(poll));
  requestAnimationFrame(poll);
  try {
    const observer = new PerformanceObserver((list) => {
      if (list.getEntriesByName("first-contentful-paint").length) {
        observer.disconnect();
        once();
      }
    });
    observer.observe({ type: "paint", buffered: true });
  } catch {
    // No paint timing in this browser: the frame after the next one has certainly been painted.
    requestAnimationFrame(() => requestAnimationFrame(once));
  }
  // A page that paints nothing contentful (or a background tab) still gets Python eventually.
  setTimeout(once, 3000);
}

// The site's service worker (see runtime/sw/pypage-sw.js) keeps the interpreter, the loader and the
// packages for repeat visits. On a first visit it starts controlling the page only after the page
// loaded them, so the page tells it which files it used. The outcome is exposed for tests and
// tools: data-pypage-offline on <html> is "pending", then "ready" (all kept), "partial" or
// "unavailable" (no service worker in this browser or window).
/** @type {Promise<ServiceWorker | null> | null} */
let serviceWorker = null;
let editorHandedOver = false; // the editor's files were sent to be kept (see keepEditorForNextVisit)
const used = new Set();

function registerServiceWorker() {
  const wanted = config.serviceWorker;
  if (!wanted || !("serviceWorker" in navigator)) return Promise.resolve(null);
  const url = new URL(wanted.url, location.href).href;
  // Registering again would re-fetch the worker's script on every visit: only a new build does.
  return navigator.serviceWorker
    .getRegistration(url)
    .then((known) => (known?.active?.scriptURL === url ? known : navigator.serviceWorker.register(url)))
    .then((registration) => activeVersion(registration, url))
    .catch(() => null); // private windows, file://, blocked storage: the page works without it
}

/**
 * The worker of the build this page belongs to, once installed. It may still be waiting (Chromium
 * can keep it waiting while the previous build's worker serves the page); it takes messages anyway.
 */
async function activeVersion(
  /** @type {ServiceWorkerRegistration} */ registration,
  /** @type {string} */ url,
) {
  for (;;) {
    const ours = [registration.active, registration.waiting].find((w) => w?.scriptURL === url);
    if (ours) return ours;
    const next = registration.installing;
    if (next?.scriptURL !== url) return null; // a newer build's worker: it serves a newer page
    await new Promise((resolve) => next.addEventListener("statechange", resolve, { once: true }));
  }
}

function keepForNextVisit(/** @type {string[]} */ workerURLs) {
  if (!serviceWorker) return;
  const pageURLs = performance.getEntriesByType("resource").map((entry) => entry.name);
  for (const url of [...pageURLs, ...workerURLs]) used.add(url);
  root.dataset.pypageOffline = "pending";
  const urls = [...used];
  serviceWorker.then((worker) => {
    if (!worker) {
      root.dataset.pypageOffline = "unavailable";
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => {
      // Ready only once the editor's files are among those kept: it may be the next visit's.
      if (used.size === urls.length && editorHandedOver) {
        root.dataset.pypageOffline = data.missing ? "partial" : "ready";
      }
    };
    worker.postMessage({ type: "cache", urls, page: location.href.split("#")[0] }, [channel.port2]);
  });
}
if (config.serviceWorker) serviceWorker = registerServiceWorker();
