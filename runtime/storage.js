// What a site keeps in the reader's browser, and under which names. Cache Storage (like IndexedDB)
// belongs to the origin, which several sites share on a host such as GitHub Pages
// (user.github.io/course-a/ and user.github.io/course-b/): every store of a site is named after the
// site's root, so nothing one site stores or evicts touches another's. Anything the runtime keeps
// later (a memory snapshot, a reader's saved progress) takes its name from here.
//
// The service worker is a classic script (module service workers are not in every browser): the
// build inlines this module into it.

/** @typedef {"assets" | "pages" | "search" | "snapshots"} Kind */
/** @type {Kind[]} */
const KINDS = ["assets", "pages", "search", "snapshots"];

/**
 * The name of one of the site's stores. `root`: the site's root URL (the service worker's scope).
 * @param {Kind} kind
 * @param {string} root
 */
export function siteStore(kind, root) {
  return `pypage-${kind} ${new URL(root).pathname}`;
}

/**
 * Move what this site left in the stores of earlier builds into its own: `keep(kind, url)` says
 * under which key an entry is still wanted (null: it is not). A shared store left empty goes.
 * Other sites' entries stay for their own (older) service workers (except under a site at the
 * origin's root, whose entries cannot be told from those of sites below it).
 * @param {string} root
 * @param {(kind: Kind, url: string) => string | null} keep
 */
export async function leaveSharedStores(root, keep) {
  const path = new URL(root).pathname;
  for (const kind of KINDS) {
    const name = `pypage-${kind}`;
    if (!(await caches.has(name))) continue;
    const shared = await caches.open(name);
    const keys = await shared.keys();
    const ours = keys.filter((request) => new URL(request.url).pathname.startsWith(path));
    const own = ours.length ? await caches.open(siteStore(kind, root)) : null;
    for (const request of ours) {
      const key = keep(kind, request.url);
      const response = key && (await shared.match(request));
      if (key && response && !(await own?.match(key))) await own?.put(key, response);
      await shared.delete(request);
    }
    if (ours.length === keys.length) await caches.delete(name);
  }
}

/**
 * Remove the site's stores of kinds this runtime no longer has (a name an earlier build used):
 * never another site's, even one in a folder below it.
 * @param {string} root
 */
export async function dropOtherStores(root) {
  const suffix = ` ${new URL(root).pathname}`;
  const wanted = new Set(KINDS.map((kind) => siteStore(kind, root)));
  for (const name of await caches.keys()) {
    if (name.startsWith("pypage-") && name.endsWith(suffix) && !wanted.has(name)) {
      await caches.delete(name);
    }
  }
}
