// Where a Pyodide memory snapshot is kept between visits: Cache Storage, uncompressed (gunzipping
// 30 MB in the browser costs more than the snapshot saves), under a key that names the site, the
// runtime's build and the Pyodide build (site/render.py makes it). A key whose snapshot failed
// keeps a marker instead, so a snapshot that cannot be restored is not made again and again.

import { leaveSharedStores, siteStore } from "../storage.js";

const FAILED = "failed";
// Pyodide 314 restores into the heap the module starts with and cannot grow it first (pyodide
// issue #6254): a snapshot of a larger heap fails on every visit, so it is not kept at all.
const HEAP_BYTES = 30 * 1024 * 1024;
const HEADER_BYTES = 1024; // Pyodide's header before the heap (128 bytes in 314.0.7), rounded up

/** The site's root, from a key: <site>/_pypage/<runtime folder>/<name>. @param {string} key */
const siteOf = (key) => new URL("../../", key).href;

/**
 * The site's snapshot store, or null where Cache Storage is missing or refused (opaque origins,
 * some private modes).
 * @param {string} key
 */
async function open(key) {
  try {
    return (await globalThis.caches?.open(siteStore("snapshots", siteOf(key)))) ?? null;
  } catch {
    return null;
  }
}

/**
 * The snapshot stored under `key`: its bytes, "failed" if one failed to restore, null if none.
 * @param {string} key
 * @returns {Promise<Uint8Array | "failed" | null>}
 */
export async function stored(key) {
  const response = await (await open(key))?.match(key);
  if (!response) return null;
  if (response.headers.get("x-pypage-snapshot") === FAILED) return FAILED;
  const bytes = new Uint8Array(await response.arrayBuffer());
  // A write cut short (a closed tab, a full disk) leaves fewer bytes than were stored.
  if (String(bytes.length) !== response.headers.get("x-pypage-snapshot-bytes")) {
    throw new Error(`the stored snapshot is ${bytes.length} bytes, not ${response.headers.get("x-pypage-snapshot-bytes")}`);
  }
  return bytes;
}

/** Whether a snapshot this size can be restored at all. @param {Uint8Array} bytes */
export function restorable(bytes) {
  return bytes.length <= HEAP_BYTES + HEADER_BYTES;
}

/**
 * Store `bytes` under `key`, and drop the snapshots of the site's earlier builds (each is 30 MB).
 * @param {string} key
 * @param {Uint8Array} bytes
 */
export async function keep(key, bytes) {
  const cache = await open(key);
  if (!cache) throw new Error("Cache Storage is not available");
  await forgetOthers(cache, key);
  // A site without a service worker tidies up here (an earlier build's snapshot is no use).
  await leaveSharedStores(siteOf(key), () => null);
  await cache.put(
    key,
    new Response(/** @type {Uint8Array<ArrayBuffer>} */ (bytes), {
      headers: { "content-type": "application/octet-stream", "x-pypage-snapshot-bytes": String(bytes.length) },
    }),
  );
}

/** Replace the snapshot under `key` by the marker that it failed. @param {string} key */
export async function forget(key) {
  await (await open(key))?.put(key, new Response("", { headers: { "x-pypage-snapshot": FAILED } }));
}

/**
 * Entries under the same site's bundle folder (other keys there are earlier builds').
 * @param {Cache} cache
 * @param {string} key
 */
async function forgetOthers(cache, key) {
  const bundles = new URL("..", key).href; // key: <site>/_pypage/<runtime folder>/<name>
  for (const request of await cache.keys()) {
    if (request.url !== key && request.url.startsWith(bundles)) await cache.delete(request);
  }
}
