// In-site navigation: a link to another page of the same site swaps the page's content instead of
// loading a new document, so the Python worker (and every module it imported) lives for the whole
// visit. Without JavaScript, or whenever anything here fails, links are plain links.
//
// A followed link: fetch the page, check that it belongs to this build (same runtime, same
// stylesheets, no script this cannot run), push its URL, swap <body>, update title and
// description, scroll (to its #anchor if any), move focus to the content and announce the new
// title to screen readers. Then "pypage:page" is dispatched on the document: scripts already
// loaded bind the new content (page.js gives its cells a fresh namespace); the new page's module
// scripts not loaded yet are imported (each runs once per visit, as on a first load). Back and
// forward swap the same way, restoring the scroll position. Modified clicks (new tab, download),
// links out of the site, slides pages and reloads are left to the browser.
//
// State for tests and tools: <html data-pypage-navigations> counts the pages shown this way.

/** The site's root: this module sits in _pypage/runtime-<hash>/. */
const SITE = new URL("../../", import.meta.url);
const RUNTIME = new URL("./", import.meta.url).href;
const root = document.documentElement;

/** Module scripts evaluated in this document, by absolute URL. */
const loaded = new Set(moduleScripts(document, location.href));
/** The page whose content is shown (its URL without the fragment). */
let shown = withoutHash(location.href);
let pending = 0; // a newer navigation makes an older one's result void

history.replaceState({ ...history.state, pypage: true }, "");

// The head stays while the URL changes: its relative URLs would resolve against the next page's
// address (the browser fetches the icon again from there). Stylesheets are recorded once, here,
// since a page is swapped in only when it has the same ones.
for (const link of document.head.querySelectorAll('link[href]:not([rel~="stylesheet"])')) {
  link.setAttribute("href", /** @type {HTMLLinkElement} */ (link).href);
}
const STYLES = stylesheets(document, location.href);

/** Keep the reader's position in the page's history entry: Back and Forward return to it. */
function remember() {
  clearTimeout(rememberTimer);
  if (history.state?.pypage) history.replaceState({ ...history.state, scroll: scrollY }, "");
}
let rememberTimer = 0;
addEventListener("scroll", () => {
  clearTimeout(rememberTimer);
  rememberTimer = setTimeout(remember, 200);
});

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = /** @type {Element} */ (event.target).closest?.("a[href]");
  if (!(link instanceof HTMLAnchorElement) || !isSitePage(link)) return;
  const url = new URL(link.href);
  if (withoutHash(url.href) === shown) return; // an anchor on this page: the browser scrolls
  event.preventDefault();
  navigate(url, { push: true });
});

addEventListener("popstate", (event) => {
  if (withoutHash(location.href) === shown) {
    // A fragment of the page shown (the browser scrolls); a page still loading is not wanted now.
    if (root.dataset.pypageNavigation === "loading") root.dataset.pypageNavigation = "done";
    pending++;
    return;
  }
  // An entry this script did not make (or mark): the browser's own navigation.
  if (!event.state?.pypage) return leave(new URL(location.href), false);
  navigate(new URL(location.href), { push: false, scroll: event.state.scroll });
});

// A followed #anchor link makes a history entry of the browser's, without state: marked, so that
// coming back to it from another page swaps the page in as well.
addEventListener("hashchange", () => {
  if (!history.state?.pypage) history.replaceState({ pypage: true }, "");
});

/** A link the browser would follow in this tab to an HTML page of this site. */
function isSitePage(/** @type {HTMLAnchorElement} */ link) {
  if (link.hasAttribute("download") || (link.target && link.target !== "_self")) return false;
  const url = new URL(link.href);
  if (url.origin !== SITE.origin || !url.pathname.startsWith(SITE.pathname)) return false;
  if (url.href.startsWith(new URL("_pypage/", SITE).href)) return false;
  return url.pathname.endsWith("/") || url.pathname.endsWith(".html");
}

/**
 * @param {URL} url
 * @param {{push: boolean, scroll?: number}} how  push: a followed link (else back/forward, which
 *   already changed the URL); scroll: where the reader was on that page
 */
async function navigate(url, { push, scroll }) {
  const ticket = ++pending;
  root.dataset.pypageNavigation = "loading";
  let next;
  try {
    // The header lets the service worker keep the page for offline visits, as it keeps pages
    // loaded by the browser.
    const response = await fetch(withoutHash(url.href), { headers: { "X-Pypage-Page": "1" } });
    const type = response.headers.get("Content-Type") ?? "";
    if (!response.ok || !type.startsWith("text/html")) throw new Error(`HTTP ${response.status}`);
    const address = new URL(response.url);
    address.hash = url.hash;
    next = { url: address, doc: new DOMParser().parseFromString(await response.text(), "text/html") };
  } catch {
    next = null;
  }
  if (ticket !== pending) return;
  if (!next || !compatible(next.doc, next.url.href)) return leave(url, push);
  try {
    show(next.doc, next.url, push);
  } catch (error) {
    console.warn(`pypage: in-site navigation failed, loading the page: ${error}`);
    return leave(next.url, false);
  }
  root.dataset.pypageNavigation = "done";
  root.dataset.pypageNavigations = String(Number(root.dataset.pypageNavigations ?? 0) + 1);
  performance.mark("pypage:navigated");
  document.dispatchEvent(new CustomEvent("pypage:page", { detail: { url: next.url.href } }));
  place(next.url, scroll);
  for (const src of moduleScripts(document, location.href)) {
    if (loaded.has(src)) continue;
    loaded.add(src);
    import(src).catch((error) => console.warn(`pypage: ${src} failed to load: ${error}`));
  }
}

/**
 * A normal navigation: what a plain link does (push), else a load in place of the current history
 * entry (back/forward, or a swap that failed after the URL changed).
 */
function leave(/** @type {URL} */ url, /** @type {boolean} */ push) {
  root.dataset.pypageNavigation = "left";
  if (push) location.assign(url);
  else location.replace(url);
}

/**
 * Whether the fetched page can replace this one's content: it runs this same runtime with the same
 * stylesheets, and no script of it would be lost (module scripts are imported; JSON data and import
 * maps are read; a script marked data-pypage-navigation="skip" only matters on a first load).
 * @param {Document} doc
 * @param {string} url
 */
function compatible(doc, url) {
  const runtime = moduleScripts(doc, url).some((src) => src === new URL("navigate.js", RUNTIME).href);
  const scripts = [...doc.querySelectorAll("script")].every(
    (script) =>
      (script.type === "module" && script.hasAttribute("src")) ||
      ["application/json", "importmap"].includes(script.type) ||
      script.dataset.pypageNavigation === "skip",
  );
  return runtime && scripts && stylesheets(doc, url) === STYLES;
}

function stylesheets(/** @type {Document} */ doc, /** @type {string} */ base) {
  return [...doc.querySelectorAll('head link[rel="stylesheet"]:not([data-pypage-added])')]
    .map((link) => new URL(link.getAttribute("href") ?? "", base).href)
    .sort()
    .join(" ");
}

/**
 * @param {Document} doc
 * @param {URL} url
 * @param {boolean} push
 */
function show(doc, url, push) {
  // The URL first: the new content's relative links and images resolve against it.
  if (push) {
    remember(); // where the reader was, for Back
    history.pushState({ pypage: true }, "", url);
  }
  shown = withoutHash(url.href);
  document.title = doc.title;
  const description = doc.querySelector('meta[name="description"]');
  document.querySelector('meta[name="description"]')?.remove();
  if (description) document.head.append(document.adoptNode(description));
  const lang = doc.documentElement.getAttribute("lang");
  if (lang) root.setAttribute("lang", lang);
  // The editor's import map came with the first page: every page of the build has the same.
  document.body.replaceWith(document.adoptNode(doc.body));
}

/**
 * Scroll where the reader was (back/forward), else to the anchor, if any; move focus where a
 * reader of a new page starts; announce it.
 */
function place(/** @type {URL} */ url, /** @type {number | undefined} */ scroll) {
  const target = url.hash ? document.getElementById(decodeURIComponent(url.hash.slice(1))) : null;
  if (scroll !== undefined) scrollTo(0, scroll);
  else if (target) target.scrollIntoView();
  else scrollTo(0, 0);
  const focus = target ?? document.querySelector("main") ?? document.body;
  if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
  focus.focus({ preventScroll: true });
  announce(document.title);
}

function announce(/** @type {string} */ text) {
  const region = document.createElement("div");
  region.setAttribute("data-pypage-announcer", "");
  region.setAttribute("aria-live", "assertive");
  region.setAttribute("role", "status");
  region.style.cssText =
    "position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap";
  document.body.append(region);
  // A live region reads out changes, not the text it was created with.
  requestAnimationFrame(() => (region.textContent = text));
}

function moduleScripts(/** @type {Document} */ doc, /** @type {string} */ base) {
  return [...doc.querySelectorAll('script[type="module"][src]')].map(
    (script) => new URL(script.getAttribute("src") ?? "", base).href,
  );
}

function withoutHash(/** @type {string} */ url) {
  return url.split("#")[0];
}
