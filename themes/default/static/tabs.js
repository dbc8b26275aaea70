// Content tabs: a page lists every panel under its label (readable without JavaScript); this
// turns each [data-pypage-tabs] set into the ARIA tab pattern. Arrow keys, Home and End move
// between tabs (automatic activation); a link to an id inside a hidden panel opens that panel.

/** @param {HTMLElement} set */
function enhance(set) {
  const panels = /** @type {HTMLElement[]} */ (
    [...set.children].filter((child) => child.classList.contains("tab-panel"))
  );
  if (panels.length === 0) return;
  const list = document.createElement("div");
  list.setAttribute("role", "tablist");
  const tabs = panels.map((panel) => {
    const label = panel.querySelector(":scope > .tab-label");
    const tab = document.createElement("button");
    tab.type = "button";
    tab.id = `${panel.id}-tab`;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    tab.innerHTML = label ? label.innerHTML : panel.id;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    panel.tabIndex = 0;
    list.append(tab);
    return tab;
  });
  /** @param {number} index @param {boolean} focus */
  const select = (index, focus) => {
    tabs.forEach((tab, i) => {
      const chosen = i === index;
      tab.setAttribute("aria-selected", String(chosen));
      tab.tabIndex = chosen ? 0 : -1;
      panels[i].hidden = !chosen;
    });
    if (focus) tabs[index].focus();
  };
  list.addEventListener("click", (event) => {
    const index = tabs.indexOf(/** @type {HTMLButtonElement} */ (
      /** @type {Element} */ (event.target).closest("[role=tab]")
    ));
    if (index >= 0) select(index, true);
  });
  list.addEventListener("keydown", (event) => {
    const current = tabs.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    if (current < 0) return;
    const moves = {
      ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: tabs.length - 1,
    };
    const next = moves[/** @type {keyof typeof moves} */ (event.key)];
    if (next === undefined) return;
    event.preventDefault();
    select((next + tabs.length) % tabs.length, true);
  });
  set.prepend(list);
  set.dataset.enhanced = "";
  const initial = panels.findIndex((panel) => panel.hasAttribute("data-selected"));
  select(Math.max(initial, 0), false);
}

/** Shows the panel holding the element the URL's fragment names, so the browser can scroll to it. */
function reveal() {
  const id = decodeURIComponent(location.hash.slice(1));
  let target = id ? document.getElementById(id) : null;
  while (target) {
    const panel = /** @type {HTMLElement | null} */ (target.closest(".tab-panel[role=tabpanel]"));
    if (!panel) break;
    const tab = document.getElementById(panel.getAttribute("aria-labelledby") || "");
    if (panel.hidden && tab) tab.click();
    target = panel.parentElement;
  }
  if (id) document.getElementById(id)?.scrollIntoView();
}

function enhanceAll() {
  for (const set of document.querySelectorAll("[data-pypage-tabs]:not([data-enhanced])")) {
    enhance(/** @type {HTMLElement} */ (set));
  }
  if (location.hash) reveal();
}
enhanceAll();
addEventListener("hashchange", reveal);
// pypage's in-site navigation showed another page in this document.
document.addEventListener("pypage:page", enhanceAll);
