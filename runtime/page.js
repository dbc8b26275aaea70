// pypage's page runtime: binds the page's cells and starts Python when the reader needs it —
// on the first Run, or once the page is idle after first paint, never before.

import { fitFrame } from "./output.js";
import { Cell, Session } from "./session.js";

const root = document.documentElement;
const config = JSON.parse(document.getElementById("pypage-config")?.textContent ?? "{}");
const status = document.querySelector("[data-pypage-status]");

const findCells = () =>
  [...document.querySelectorAll("[data-pypage-cell]")].map(
    (element) => new Cell(/** @type {HTMLElement} */ (element)),
  );
const cells = findCells();

const session = new Session({
  cells,
  config,
  onStatus(state, text) {
    root.dataset.pypage = state;
    if (status) status.textContent = text;
  },
  onFetched: keepForNextVisit,
});

root.dataset.pypage = "idle";

let firstOutput = true;
function bind(/** @type {Cell[]} */ list) {
  for (const cell of list) {
    cell.element.querySelector("[data-pypage-run]")?.addEventListener("click", () => {
      if (cell.state === "running" || cell.state === "queued") session.stop(cell);
      else session.run(cell);
    });
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
}
bind(cells);
// HTML output recorded at build time sits in frames that need sizing to their content.
for (const iframe of document.querySelectorAll("[data-pypage-output] iframe.pypage-html")) {
  if (iframe.contentDocument?.readyState === "complete") fitFrame(iframe);
  else iframe.addEventListener("load", () => fitFrame(iframe));
}

// pypage serve replaced the page's content after an edit: the same interpreter (and the variables
// the reader's cells set) carries on with the new cells.
document.addEventListener("pypage:content-replaced", () => {
  const fresh = findCells();
  session.rebind(fresh);
  bind(fresh);
});

session.prepare();

// Pages with autorun cells need Python at once; others wait until the page is idle as well.
const hasAutorun = cells.some((cell) => cell.autorun);
afterFirstPaint(() => {
  const begin = () => {
    session.start();
    // On slides, autorun cells wait for their slide to be shown (slides.js).
    if (config.layout !== "slides") for (const cell of cells) if (cell.autorun) session.run(cell);
  };
  if (hasAutorun || !("requestIdleCallback" in window)) begin();
  else requestIdleCallback(begin, { timeout: 1000 });
});

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
async function activeVersion(/** @type {ServiceWorkerRegistration} */ registration, url) {
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
      if (used.size === urls.length) root.dataset.pypageOffline = data.missing ? "partial" : "ready";
    };
    worker.postMessage({ type: "cache", urls, page: location.href.split("#")[0] }, [channel.port2]);
  });
}
if (config.serviceWorker) serviceWorker = registerServiceWorker();
