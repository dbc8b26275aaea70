// pypage serve's live reload. The dev server injects this script into the pages it sends; it is
// never part of a built site.
//
// Events: "pages" {pages: [site paths]} → update this page in place if it is one of them, keeping
// the interpreter and its variables; "reload" → full reload, keeping the scroll position;
// "build-error" {error} → overlay with the message; the next successful rebuild clears it.

const SCROLL_KEY = "pypage:scroll";
const root = document.documentElement;

function sitePath() {
  const path = decodeURIComponent(location.pathname).replace(/^\//, "");
  return path === "" || path.endsWith("/") ? `${path}index.html` : path;
}

function reload() {
  sessionStorage.setItem(SCROLL_KEY, JSON.stringify({ path: sitePath(), y: scrollY }));
  location.reload();
}

const saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) ?? "null");
sessionStorage.removeItem(SCROLL_KEY);
if (saved?.path === sitePath()) addEventListener("load", () => scrollTo(0, saved.y), { once: true });

/** What must be equal for an in-place update: stylesheets, the runtime and its settings. */
function signature(/** @type {Document} */ doc) {
  // Stylesheets the runtime added itself (the editor's) are not part of the page as served.
  const assets = [
    ...doc.querySelectorAll('link[rel="stylesheet"]:not([data-pypage-added]), script[type="module"][src]'),
  ];
  return assets.map((e) => e.getAttribute("href") ?? e.getAttribute("src")).join(" ") +
    (doc.getElementById("pypage-config")?.textContent ?? "");
}

const REGIONS = ["main", ".site-nav", ".toc"];

async function update() {
  const response = await fetch(location.href, { cache: "no-store" });
  if (!response.ok) return reload();
  const next = new DOMParser().parseFromString(await response.text(), "text/html");
  if (signature(next) !== signature(document)) return reload();
  if (REGIONS.some((s) => !document.querySelector(s) !== !next.querySelector(s))) return reload();
  const y = scrollY;
  for (const selector of REGIONS) {
    const replacement = next.querySelector(selector); // there whenever this page has the region
    if (replacement) document.querySelector(selector)?.replaceWith(replacement);
  }
  document.title = next.title;
  scrollTo(0, y);
  // page.js binds the new cells to the running interpreter.
  document.dispatchEvent(new CustomEvent("pypage:content-replaced"));
  root.dataset.pypageUpdates = String(Number(root.dataset.pypageUpdates ?? 0) + 1);
  performance.mark("pypage:live-update");
}

/** @type {HTMLElement | null} */
let overlay = null;
function showError(/** @type {string | null} */ text) {
  overlay?.remove();
  overlay = null;
  if (!text) return;
  overlay = document.createElement("div");
  overlay.setAttribute("data-pypage-error-overlay", "");
  overlay.setAttribute("role", "alert");
  overlay.style.cssText =
    "position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;max-height:60vh;overflow:auto;" +
    "background:#2d1214;color:#ffdcd7;border:1px solid #ff7b72;border-radius:8px;" +
    "padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace;box-shadow:0 8px 30px #0008";
  const title = document.createElement("strong");
  title.textContent = "pypage: the last change does not build. This page shows the last good version.";
  const message = document.createElement("pre");
  message.style.cssText = "margin:.6rem 0 0;white-space:pre-wrap";
  message.textContent = text; // an error message is text, never markup
  overlay.append(title, message);
  document.body.append(overlay);
}

const events = new EventSource("/__pypage__/events");
events.addEventListener("pages", (event) => {
  showError(null);
  if (JSON.parse(event.data).pages.includes(sitePath())) update();
});
events.addEventListener("reload", () => reload());
events.addEventListener("build-error", (event) => showError(JSON.parse(event.data).error));
// The server greets each stream once it is subscribed: from then on no rebuild is missed.
const connected = () => (root.dataset.pypageLive = "connected");
events.addEventListener("hello", () => {
  showError(null);
  connected();
});
events.addEventListener("build-error", connected);
