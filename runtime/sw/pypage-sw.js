// pypage's service worker, written to the site's root by `pypage build` (which fills in ASSETS,
// COMPILED, ISOLATE and VERSION). It does two things:
//
// - Repeat visits load the interpreter, the loader and the packages without a single request,
//   from Cache Storage (the large compiled ones from the browser's HTTP cache while it has them):
//   every file under _pypage/ has a content-hashed path, so a cached copy is never stale. A
//   rebuilt site comes with a new worker whose ASSETS no longer list the old files; activating it
//   evicts them. Pages themselves go to the network first and fall back to the cache, so a
//   visited site works offline.
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

// A classic script's `self` is typed as any worker's; this one is a service worker.
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const ASSET_CACHE = "pypage-assets";
const PAGE_CACHE = "pypage-pages";
const SEARCH_CACHE = "pypage-search";
const scope = new URL(sw.registration.scope);

// The files of the build this worker belongs to are the only ones worth keeping: the host no longer
// has the others. Evicting at install (not only at activation) matters because Chromium may keep a
// new worker waiting while the old one still serves an open page.
async function evict() {
  const cache = await caches.open(ASSET_CACHE);
  for (const request of await cache.keys()) {
    if (!ASSETS.has(sitePath(request.url))) await cache.delete(request);
  }
}

sw.addEventListener("install", (event) => event.waitUntil(evict().then(() => sw.skipWaiting())));

sw.addEventListener("activate", (event) => {
  // Navigation preload: the page's request leaves while this worker starts up, not after.
  const preload = sw.registration.navigationPreload?.enable().catch(() => {});
  event.waitUntil(Promise.all([preload, evict().then(() => sw.clients.claim())]));
});

// Opened once per worker start, not once per request: a repeat visit sends every file through here.
/** @type {Promise<Cache> | null} */
let assetCache = null;
const openAssets = () => (assetCache ??= caches.open(ASSET_CACHE));

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
      const assets = await openAssets();
      let missing = 0;
      for (const url of event.data.urls) {
        if (!ASSETS.has(sitePath(url)) || (await assets.match(url))) continue;
        try {
          await assets.add(url);
        } catch {
          missing += 1;
        }
      }
      if (event.data.page) {
        const pages = await caches.open(PAGE_CACHE);
        if (!(await pages.match(event.data.page))) await pages.add(event.data.page).catch(() => {});
      }
      (event.ports[0] ?? event.source)?.postMessage({ type: "cached", version: VERSION, missing });
    })(),
  );
});

/** A search index file: the network's copy when there is one (kept), else the kept one. */
async function searchFile(/** @type {Request} */ request) {
  const cache = await caches.open(SEARCH_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(new URL(request.url).pathname, response.clone());
    return isolated(response);
  } catch (error) {
    // pagefind-entry.json is asked for with a changing ?ts=: kept under its path alone.
    const kept = await cache.match(new URL(request.url).pathname);
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
  const cache = await openAssets();
  // An exact match: content-hashed paths carry no query, and ignoreSearch would scan every entry.
  const hit = await cache.match(request);
  // Of the files here, only a Python worker's script needs the isolation headers.
  if (hit) return worker ? isolated(hit) : hit;
  const response = await fetch(request);
  if (response.ok) event.waitUntil(cache.put(request, response.clone()));
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

async function page(/** @type {FetchEvent} */ event) {
  const cache = await caches.open(PAGE_CACHE);
  let response;
  try {
    response = (await event.preloadResponse) ?? (await fetch(event.request));
    if (response.ok) event.waitUntil(cache.put(event.request, response.clone()));
  } catch (error) {
    response = await cache.match(event.request, { ignoreSearch: true });
    if (!response) throw error;
  }
  return isolated(response);
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
