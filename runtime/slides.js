// Slide decks (layout: slides): reveal.js drives navigation, scaling, overview, fullscreen,
// speaker view and printing; this module adds what cells need on slides.

import Reveal from "./vendor/reveal.mjs";
import Notes from "./vendor/reveal-notes.mjs";

// The slides layout of every theme renders the deck's .reveal element.
const deck = new Reveal(/** @type {HTMLElement} */ (document.querySelector(".reveal")), {
  hash: true, // the slide number is in the URL, so a reload keeps the slide
  slideNumber: "c/t",
  width: 1280,
  height: 720,
  margin: 0.06,
  center: false,
  transition: "slide",
  plugins: [Notes],
  // Keys typed into a cell (Shift+Enter, arrows while reading output) are the cell's.
  keyboardCondition: (event) =>
    !(event.target instanceof Element && event.target.closest("[data-pypage-cell]")),
});

/** autorun cells run when their slide is first shown, not all at page load. */
function autorunVisible() {
  const slide = deck.getCurrentSlide();
  for (const cell of slide?.querySelectorAll("[data-pypage-cell][data-autorun]") ?? []) {
    if (cell.getAttribute("data-state") === "idle" && !cell.hasAttribute("data-autoran")) {
      cell.setAttribute("data-autoran", "");
      const run = cell.querySelector("[data-pypage-run]");
      if (run instanceof HTMLElement) run.click();
    }
  }
}

deck.on("ready", autorunVisible);
deck.on("slidechanged", autorunVisible);
await deck.initialize();
document.documentElement.dataset.pypageSlides = "ready";
