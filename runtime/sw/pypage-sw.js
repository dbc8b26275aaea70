// pypage's service worker, written to the site's root by `pypage build` (which fills in ASSETS,
// COMPILED, ISOLATE, VERSION, SEARCH, OFFLINE and STORAGE). It does two things:
//
// - Repeat visits load the interpreter, the loader and the packages without a single request,
//   from Cache Storage (the large compiled ones from the browser's HTTP cache while it has them):
//   every file under _pypage/ has a content-hashed path, so a cached copy is never stale. A
//   rebuilt site comes with a new worker whose ASSETS no longer list the old files; it evicts
//   those of the builds before the last one (a tab may still show a page of that). Pages go to
//   the network first and fall back to the cache, so a visited site works offline; a page never
//   visited shows the site's offline page. Every store is the site's own (runtime/storage.js):
//   sites sharing an origin keep what they stored.
// - On hosts that cannot send headers (GitHub Pages) it adds the cross-origin isolation headers
//   (COOP/COEP) to the site's responses, which gives pages SharedArrayBuffer: Stop then interrupts
//   Python instead of restarting it. `credentialless` keeps cross-origin images in pages working.

/** @type {Set<string>} */
const ASSETS = new Set(/* ASSETS */ []);
// The large wasm modules and scripts among them, whose compiled code V8 can keep (see asset()).
/** @type {Set<string>} */
const COMPILED = new Set(/* COMPILED */ []);
const ISOLATE = /* ISOLATE */ true;
const VERSION = /* VERSION */ "";
// The site's search index folder: it changes with the pages, so it is fetched network-first.
const SEARCH = /* SEARCH */ "";

// The page shown when the reader is offline and the page they asked for was never visited: the
// site's theme, and a list of the pages that are kept (filled in by offline()).
const OFFLINE = /* OFFLINE */ "";
const OFFLINE_LIST = /* OFFLINE_LIST */ ""; // the empty list in it (site/render.py)

// A classic script's `self` is typed as any worker's; this one is a service worker.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** runtime/storage.js, inlined by the build. @type {typeof import("../storage.js")} */
const storage = /* STORAGE */ (/** @type {any} */ (null));
const scope = new URL(sw.registration.scope);
// Named after the site's root: other sites on the origin have stores of their own.
const ASSET_CACHE = storage.siteStore("assets", scope.href);
const PAGE_CACHE = storage.siteStore("pages", scope.href);
const SEARCH_CACHE = storage.siteStore("search", scope.href);

// Each build's list of files is kept with the files (under BUILDS, a path no file has), so that
// the next build knows which files a page of this one, still open in a tab, may ask for.
const BUILDS = "_pypage/.builds/";

/**
 * Keep the files of this build and of the one before it; evict the rest (the host no longer has
 * them). The build before stays because a tab may still show one of its pages: its Python loads
 * packages, the editor or a restart's files from here. Done at install (not only at activation)
 * because Chromium may keep a new worker waiting while the old one still serves an open page.
 */
async function evict() {
  const cache = await caches.open(ASSET_CACHE);
  const builds = [];
  for (const request of await cache.keys()) {
    if (!sitePath(request.url).startsWith(BUILDS) || request.url.endsWith(`/${VERSION}`)) continue;
    const response = await cache.match(request);
    const { installed = 0, files = [] } = (await response?.json().catch(() => null)) ?? {};
    builds.push({ request, installed, files });
  }
  builds.sort((a, b) => b.installed - a.installed);
  const keep = new Set([...ASSETS, ...(builds[0]?.files ?? [])]);
  for (const { request } of builds.slice(1)) await cache.delete(request);
  for (const request of await cache.keys()) {
    const path = sitePath(request.url);
    if (!path.startsWith(BUILDS) && !keep.has(path)) await cache.delete(request);
  }
  const mine = new URL(BUILDS + VERSION, scope).href;
  if (!(await cache.match(mine))) {
    const list = JSON.stringify({ installed: Date.now(), files: [...ASSETS] });
    await cache.put(mine, new Response(list, { headers: { "Content-Type": "application/json" } }));
  }
}

/** The offline page, kept at install: a reader offline may never have loaded it. */
async function keepOfflinePage() {
  if (!OFFLINE) return;
  const cache = await openAssets(true);
  const url = new URL(OFFLINE, scope).href;
  if (!(await cache.match(url))) await cache.add(url);
}

sw.addEventListener("install", (event) => {
  const storing = Promise.all([evict(), keepOfflinePage()]).catch(refused);
  event.waitUntil(storing.then(() => sw.skipWaiting()));
});

sw.addEventListener("activate", (event) => {
  // Navigation preload: the page's request leaves while this worker starts up, not after.
  const preload = sw.registration.navigationPreload?.enable().catch(() => {});
  const tidy = Promise.all([
    evict(),
    storage.leaveSharedStores(scope.href, (kind, url) => {
      // What an earlier pypage kept of this site, and is still current, moves here.
      if (kind === "assets") return ASSETS.has(sitePath(url)) ? url : null;
      if (kind === "pages") return pageKey(url);
      return kind === "search" ? url : null; // a snapshot is of an earlier runtime
    }),
    storage.dropOtherStores(scope.href),
  ]).catch(refused);
  event.waitUntil(Promise.all([preload, tidy.then(() => sw.clients.claim())]));
});

// Storage is the browser's to refuse (quota, a private window) or to evict under pressure: the
// site then works from the network, as without this worker, and the next visit stores it again.
let warned = false;
function refused(/** @type {unknown} */ error) {
  if (warned) return;
  warned = true;
  console.warn(`pypage: the browser did not store the site for offline visits (${error}); it works from the network`);
}

// Opened once per worker start, not once per request: a repeat visit sends every file through here.
/** @type {Promise<Cache> | null} */
let assetCache = null;
// Opened anew to store: should the browser have evicted the store, the one held open is not the
// site's any more (what is put there is lost), though it still answers for what it held.
const openAssets = (toStore = false) =>
  toStore || !assetCache ? (assetCache = caches.open(ASSET_CACHE)) : assetCache;

sw.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== scope.origin) return;
  if (sitePath(request.url) === ANSWER_PATH) event.respondWith(answers.request(request.url));
  // In-site navigation (navigate.js) fetches pages with this header: they are kept like the pages
  // the browser loads, for offline visits.
  else if (request.mode === "navigate" || request.headers.has("X-Pypage-Page")) {
    event.respondWith(page(event));
  }
  else if (SEARCH && sitePath(request.url).startsWith(SEARCH)) event.respondWith(searchFile(request));
  else if (ASSETS.has(sitePath(request.url))) event.respondWith(asset(event));
  // A file of the build before, for a page of it still open: the host may no longer have it.
  else if (sitePath(request.url).startsWith("_pypage/")) event.respondWith(earlier(request));
  else if (ISOLATE) event.respondWith(fetch(request).then(isolated));
});

// The page reports the files it and its Python worker loaded before this worker controlled them
// (a first visit), so that the next visit finds them all here.
sw.addEventListener("message", (event) => {
  if (event.data?.type === "answer") return answers.answer(event.data.token, event.data.reply);
  if (event.data?.type === "cache-search") {
    const reply = event.ports[0];
    return event.waitUntil(keepSearch().then((kept) => reply?.postMessage({ type: "kept", kept })));
  }
  if (event.data?.type !== "cache") return;
  event.waitUntil(
    (async () => {
      let missing = 0;
      try {
        const assets = await openAssets(true);
        for (const url of event.data.urls) {
          if (!ASSETS.has(sitePath(url)) || (await assets.match(url))) continue;
          try {
            await assets.add(url);
          } catch (error) {
            missing += 1;
            if (error instanceof DOMException && error.name === "QuotaExceededError") refused(error);
          }
        }
        if (event.data.page) await keepPage(event.data.page);
      } catch (error) {
        refused(error);
        missing = Math.max(missing, 1);
      }
      (event.ports[0] ?? event.source)?.postMessage({ type: "cached", version: VERSION, missing });
    })(),
  );
});

/** A search index file: the network's copy when there is one (kept), else the kept one. */
async function searchFile(/** @type {Request} */ request) {
  const cache = await caches.open(SEARCH_CACHE).catch(() => null);
  try {
    const response = await fetch(request);
    if (response.ok) await cache?.put(new URL(request.url).pathname, response.clone()).catch(refused);
    return isolated(response);
  } catch (error) {
    // pagefind-entry.json is asked for with a changing ?ts=: kept under its path alone.
    const kept = await cache?.match(new URL(request.url).pathname);
    if (kept) return kept;
    throw error;
  }
}

/** Keeps every file of the search index (files.json lists them) for searching offline; says
 * whether they all are. */
async function keepSearch() {
  if (!SEARCH) return false;
  const folder = new URL(SEARCH, scope);
  const listing = await fetch(new URL("files.json", folder)).catch(() => null);
  if (!listing?.ok) return false;
  const names = /** @type {string[]} */ (await listing.json());
  const wanted = new Set(["files.json", ...names].map((name) => new URL(name, folder).pathname));
  const cache = await caches.open(SEARCH_CACHE);
  for (const request of await cache.keys()) {
    if (!wanted.has(new URL(request.url).pathname)) await cache.delete(request);
  }
  let kept = true;
  for (const path of wanted) {
    if (await cache.match(path)) continue;
    const response = await fetch(path).catch(() => null);
    if (response?.ok) await cache.put(path, response);
    else kept = false;
  }
  return kept;
}

// input() on a page without SharedArrayBuffer (not isolated): Python's worker makes a synchronous
// request to ANSWER_PATH that is held here until the page posts the reader's answer (see
// runtime/answers.js, which speaks the other side).
const ANSWER_PATH = "_pypage/answer";
const ASK_AGAIN = 204; // a request held too long is let go (browsers end long fetch events)
// Short holds: browsers stop a service worker whose event lasts long (Chromium after 5 minutes,
// others sooner); the question's worker simply asks again.
const HOLD_MS = 25 * 1000;

const answers = {
  /** @type {Map<string, string>} replies that came before their request */
  early: new Map(),
  /** @type {Map<string, (reply: string) => void>} */
  waiting: new Map(),

  /** @param {string} url @returns {Promise<Response>} */
  request(url) {
    const token = new URL(url).searchParams.get("token") ?? "";
    const early = this.early.get(token);
    this.early.delete(token);
    if (early !== undefined) return Promise.resolve(text(early));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        resolve(new Response(null, { status: ASK_AGAIN }));
      }, HOLD_MS);
      this.waiting.set(token, (reply) => {
        clearTimeout(timer);
        resolve(text(reply));
      });
    });
  },

  /** @param {string} token @param {string} reply */
  answer(token, reply) {
    const waiting = this.waiting.get(token);
    this.waiting.delete(token);
    if (waiting) waiting(reply);
    else this.early.set(token, reply);
  },
};

/** @param {string} body */
function text(body) {
  return new Response(body, {
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

/** The URL's path relative to the site's root ("_pypage/runtime-…/page.js"), or "". */
function sitePath(/** @type {string} */ url) {
  const { pathname } = new URL(url);
  return pathname.startsWith(scope.pathname) ? pathname.slice(scope.pathname.length) : "";
}

async function asset(/** @type {FetchEvent} */ event) {
  // A large compiled file comes from the browser's HTTP cache first, when it still holds it (any
  // copy is current: the path is content-hashed): a response from there keeps V8's cache of
  // compiled code, which a copy from Cache Storage does not have, and Pyodide's 9.6 MB wasm then
  // starts about 0.7 s sooner. Every other file comes straight from Cache Storage: for them the
  // two lookups cost more than they save (MicroPython's first output came ~50 ms later).
  const { request } = event;
  const worker = request.destination === "worker";
  if (!worker && COMPILED.has(sitePath(request.url)) && (await inHttpCache(request))) {
    const kept = await fetch(request, { cache: "force-cache" }).catch(() => null);
    if (kept?.ok) return kept;
  }
  const hit = await fromStore(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) {
    const copy = response.clone();
    event.waitUntil(openAssets(true).then((fresh) => fresh.put(request, copy)).catch(refused));
  }
  return isolated(response);
}

/**
 * Whether the HTTP cache holds the file, asked without touching the network. Only a probe: the
 * file itself is fetched as the page asked for it, since a request changed to the mode this
 * question needs would miss the compiled code kept for the original one.
 */
async function inHttpCache(/** @type {Request} */ request) {
  try {
    const probe = await fetch(request.url, { cache: "only-if-cached", mode: "same-origin" });
    probe.body?.cancel();
    return probe.ok;
  } catch {
    return false; // not cached: only-if-cached fails instead of going to the network
  }
}

/** A page: the network's copy (kept), else the kept one, else the offline page. */
async function page(/** @type {FetchEvent} */ event) {
  let response;
  try {
    response = (await event.preloadResponse) ?? (await fetch(event.request));
    if (response.ok) {
      const copy = response.clone();
      event.waitUntil(
        caches.open(PAGE_CACHE).then((cache) => cache.put(pageKey(event.request.url), copy)).catch(refused),
      );
    }
  } catch (error) {
    const cache = await caches.open(PAGE_CACHE).catch(() => null);
    response = (await cache?.match(pageKey(event.request.url))) ?? (await offline(cache));
    if (!response) throw error;
  }
  return isolated(response);
}

/** "dir/", "dir/index.html" and "dir/index.html?x#y" are one page: one entry. */
function pageKey(/** @type {string} */ url) {
  const key = new URL(url);
  key.search = key.hash = "";
  key.pathname = key.pathname.replace(/\/index\.html$/, "/");
  return key.href;
}

async function keepPage(/** @type {string} */ url) {
  const cache = await caches.open(PAGE_CACHE);
  if (await cache.match(pageKey(url))) return;
  const response = await fetch(url).catch(() => null);
  if (response?.ok) await cache.put(pageKey(url), response);
}

/**
 * The offline page, listing the pages kept (by their titles), or null when it is not kept either.
 * @param {Cache | null} pages
 */
async function offline(pages) {
  const assets = await openAssets().catch(() => null);
  const url = new URL(OFFLINE, scope).href;
  const kept = OFFLINE ? await assets?.match(url) : null;
  if (!kept) return null;
  const items = [];
  for (const request of pages ? await pages.keys() : []) {
    const html = (await (await pages?.match(request))?.text()) ?? "";
    // The title as the build wrote it (escaped); "<" cannot end an element it is put in.
    const title = (/<title>([^]*?)<\/title>/.exec(html)?.[1] ?? request.url).replace(/</g, "&lt;");
    items.push(`<li><a href="${request.url.replace(/"/g, "%22")}">${title}</a></li>`);
  }
  const body = (await kept.text())
    // Its relative links (stylesheets, home) resolve from where it is kept, whatever the address.
    .replace("<head>", `<head><base href="${url}">`)
    .replace(OFFLINE_LIST, OFFLINE_LIST.replace("></", `>${items.join("")}</`));
  // 200, as a page the site has: an error status would have the browser log a failed load.
  return new Response(body, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Pypage-Offline": "1",
    },
  });
}

/** A file of an earlier build, kept: else whatever the host has now. */
async function earlier(/** @type {Request} */ request) {
  return (await fromStore(request)) ?? fetch(request).then(isolated);
}

/** The site's stored copy of a file, or null. */
async function fromStore(/** @type {Request} */ request) {
  const cache = await openAssets().catch(() => null);
  // An exact match: content-hashed paths carry no query, and ignoreSearch would scan every entry.
  const hit = await cache?.match(request);
  // Of the files here, only a Python worker's script needs the isolation headers.
  return hit && request.destination === "worker" ? isolated(hit) : (hit ?? null);
}

function isolated(/** @type {Response} */ response) {
  // Opaque and redirect responses cannot be rebuilt; a host that isolates itself needs no help.
  if (!ISOLATE || response.status === 0 || response.headers.has("Cross-Origin-Embedder-Policy")) {
    return response;
  }
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "credentialless");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
