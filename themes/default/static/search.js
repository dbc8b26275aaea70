// The site's search box: Pagefind's index (built with the site, in _pypage/search-…/), queried
// through its JavaScript API as the reader types. "/" focuses the box; arrow keys move through the
// results, Enter opens one, Escape closes them. Results link to the heading nearest the match.

const MAX_RESULTS = 8;
const findBox = () => /** @type {HTMLElement | null} */ (document.querySelector("[data-pypage-search]"));

/**
 * @typedef {{ title: string, url: string, excerpt: string, locations?: number[] }} SubResult
 * @typedef {{ url: string, excerpt: string, meta: { title?: string }, sub_results?: SubResult[] }} ResultData
 * @typedef {{ data(): Promise<ResultData> }} Result
 * @typedef {{
 *   options(o: object): Promise<void>,
 *   init(): Promise<void>,
 *   debouncedSearch(q: string, o?: object, ms?: number): Promise<{ results: Result[] } | null>,
 * }} Pagefind
 */

/** @param {HTMLElement} box */
function attach(box) {
  const input = /** @type {HTMLInputElement} */ (box.querySelector("input"));
  const results = /** @type {HTMLElement} */ (box.querySelector("[data-search-results]"));
  const module = new URL(box.dataset.pypageSearch || "", location.href);
  // Pagefind's URLs start at the site's root: wherever the site is served from, that is here.
  const root = new URL(box.dataset.root || "./", location.href).pathname;
  /** @type {Promise<Pagefind> | null} */
  let loading = null;
  let asked = 0;

  const load = () =>
    (loading ??= import(module.href).then(async (/** @type {Pagefind} */ pagefind) => {
      await pagefind.options({ baseUrl: root, excerptLength: 20 });
      await pagefind.init();
      // Offline later: the service worker keeps the whole index, not only what this search read.
      const worker = navigator.serviceWorker?.controller;
      if (worker) {
        const channel = new MessageChannel();
        channel.port1.onmessage = ({ data }) => {
          if (data?.kept) box.dataset.offline = "ready"; // what tests and curious readers see
        };
        worker.postMessage({ type: "cache-search" }, [channel.port2]);
      }
      return pagefind;
    }));

  /** @param {boolean} open */
  const expand = (open) => {
    results.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
  };

  /** @param {string} text */
  const say = (text) => {
    const p = document.createElement("p");
    p.className = "search-empty";
    p.textContent = text;
    results.replaceChildren(p);
    expand(true);
  };

  /** The heading section that holds most of the matches, else the page. @param {ResultData} data */
  const nearest = (data) => {
    const sections = (data.sub_results ?? []).filter((s) => s.url.includes("#"));
    sections.sort((a, b) => (b.locations?.length ?? 0) - (a.locations?.length ?? 0));
    return sections[0];
  };

  /** @param {ResultData[]} found */
  const show = (found) => {
    const list = document.createElement("ul");
    for (const data of found) {
      const section = nearest(data);
      const link = document.createElement("a");
      link.href = section?.url ?? data.url;
      const title = document.createElement("span");
      title.className = "search-title";
      const page = data.meta.title ?? data.url;
      title.textContent = section && section.title !== page ? `${page} › ${section.title}` : page;
      const excerpt = document.createElement("span");
      excerpt.className = "search-excerpt";
      // Pagefind's excerpt is the page's own text, escaped, with <mark> around the matches.
      excerpt.innerHTML = section?.excerpt ?? data.excerpt;
      link.append(title, excerpt);
      const item = document.createElement("li");
      item.append(link);
      list.append(item);
    }
    results.replaceChildren(list);
    expand(true);
  };

  input.addEventListener("focus", () => void load().catch(() => {}), { once: true });
  input.addEventListener("input", async () => {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) return expand(false);
    try {
      const pagefind = await load();
      const search = await pagefind.debouncedSearch(query, {}, 120);
      if (search === null || mine !== asked) return; // a newer query is on its way
      const found = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
      if (mine !== asked) return;
      if (found.length) show(found);
      else say(`Nothing found for “${query}”.`);
    } catch {
      say("Search is not available.");
    }
  });

  const links = () => /** @type {HTMLAnchorElement[]} */ ([...results.querySelectorAll("a")]);
  box.addEventListener("keydown", (event) => {
    const all = links();
    const at = all.indexOf(/** @type {HTMLAnchorElement} */ (document.activeElement));
    if (event.key === "Escape") {
      expand(false);
      input.focus();
    } else if (event.key === "ArrowDown" && all.length) {
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      if (at === 0) input.focus();
      else all[at - 1].focus();
    } else if (event.key === "Enter" && document.activeElement === input && all.length) {
      all[0].click();
    } else return;
    event.preventDefault();
  });
  box.addEventListener("focusout", (event) => {
    if (!box.contains(/** @type {Node | null} */ (event.relatedTarget))) expand(false);
  });

  box.dataset.ready = "";
}

const box = findBox();
if (box) attach(box);
// pypage's in-site navigation showed another page (and its header) in this document.
document.addEventListener("pypage:page", () => {
  const next = findBox();
  if (next && next.dataset.ready === undefined) attach(next);
});

// "/" anywhere but in a field (or a cell's editor) goes to the search box.
addEventListener("keydown", (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  const input = findBox()?.querySelector("input");
  if (!input || event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]")) return;
  event.preventDefault();
  input.focus();
  input.select();
});
