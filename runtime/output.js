// A cell's output area. Text arrives in chunks and is drawn once per frame, so a flood of output
// costs a few DOM writes, not thousands. Printed text is only ever a text node: never markup.
// Rich output (pypage.display) is drawn by what it is: HTML in a sandboxed frame where scripts
// never run, SVG and bitmaps as images, JSON as text. Output recorded by `pypage build --execute`
// is this file's markup, as Chromium drew it: there is no second renderer to keep in step.

const CLASSES = {
  stdout: "stdout",
  stderr: "stderr",
  result: "result",
  error: "traceback",
  notice: "notice",
  input: "input", // the reader's answer to input(), echoed as a terminal would
};

export class OutputArea {
  /** @param {HTMLElement} element */
  constructor(element) {
    this.element = element;
    /** @type {[string, string][]} */
    this.pending = [];
    this.frame = 0;
    this.drawnAt = -Infinity;
    this.onFirstText = () => {};
  }

  clear() {
    this.pending = [];
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.element.replaceChildren();
    // Output recorded at build time is replaced by the reader's own run.
    this.element.removeAttribute("data-prerendered");
  }

  /**
   * input(): a text field right after the prompt (already printed). Enter hands its text to
   * `onAnswer` and leaves the text in the output, as a terminal shows what was typed.
   * @returns {() => void} takes the field away (Stop while the cell waits)
   */
  ask(/** @type {string} */ label, /** @type {(text: string) => void} */ onAnswer) {
    this.flush();
    const field = document.createElement("input");
    field.type = "text";
    field.className = "pypage-input";
    field.dataset.pypageInput = "";
    field.autocomplete = "off";
    field.spellcheck = false;
    field.setAttribute("aria-label", label);
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault();
      event.stopPropagation(); // Shift+Enter here answers; it does not run the cell again
      const text = field.value;
      remove();
      this.append("input", `${text}\n`);
      this.flush();
      onAnswer(text);
    });
    const cell = this.element.closest("[data-pypage-cell]");
    const remove = () => {
      const focused = document.activeElement === field;
      field.remove();
      if (focused) /** @type {HTMLElement | null} */ (cell)?.focus({ preventScroll: true });
    };
    this.element.append(field);
    // Take focus only from nowhere, this cell or the toolbar: never from a reader typing elsewhere
    // (a cell asking during Run all).
    const active = document.activeElement;
    if (!active || active === document.body || cell?.contains(active) || active.closest("[data-pypage-toolbar]")) {
      field.focus({ preventScroll: false });
    }
    return remove;
  }

  /** A button in the output (e.g. "Run all above" after Python was restarted). */
  action(/** @type {string} */ label, /** @type {() => void} */ callback) {
    this.flush();
    const button = document.createElement("button");
    button.type = "button";
    button.className = "pypage-action";
    button.textContent = label;
    button.addEventListener("click", () => {
      button.remove();
      callback();
    });
    this.element.append(button);
    return button;
  }

  /**
   * @param {string} kind stdout, stderr, result, error, notice, display (JSON bundle) or clear
   * @param {string} text
   */
  append(kind, text) {
    if (!text && kind !== "clear") return;
    if (kind === "result" || kind === "notice") text = text.endsWith("\n") ? text : `${text}\n`;
    this.pending.push([kind, text]);
    if (this.frame) return;
    // Output after a quiet spell is drawn at once; a stream of it is drawn once per frame.
    if (performance.now() - this.drawnAt > 50) this.flush();
    else this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Draw what is pending now (before a state change, so "done" never precedes its output). */
  flush() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (!this.pending.length) return;
    const box = this.element;
    const following = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    for (const [kind, text] of this.pending) {
      if (kind === "clear") {
        box.replaceChildren();
        continue;
      }
      if (kind === "display") {
        box.append(richOutput(text));
        continue;
      }
      const last = /** @type {HTMLElement | null} */ (box.lastElementChild);
      if (last && last.dataset.kind === kind && last.firstChild) {
        /** @type {Text} */ (last.firstChild).appendData(text);
      } else {
        const span = document.createElement("span");
        span.className = CLASSES[/** @type {keyof typeof CLASSES} */ (kind)] ?? kind;
        span.dataset.kind = kind;
        span.textContent = text;
        box.append(span);
      }
    }
    this.pending = [];
    this.drawnAt = performance.now();
    // Keep the newest output in view unless the reader scrolled up to read.
    if (following) box.scrollTop = box.scrollHeight;
    this.onFirstText();
    this.onFirstText = () => {};
  }
}

/**
 * The element for one display bundle ({data: {mime: value}, metadata}). The only drawing of rich
 * output: `pypage build --execute` records the markup drawn here into the page.
 */
function richOutput(/** @type {string} */ json) {
  const block = document.createElement("div");
  block.className = "display";
  block.dataset.kind = "display";
  block.dataset.bundle = json; // what `pypage check` and `build --execute` record
  let bundle;
  try {
    bundle = JSON.parse(json);
  } catch {
    block.textContent = json;
    return block;
  }
  const data = bundle.data ?? {};
  const meta = (/** @type {string} */ mime) => bundle.metadata?.[mime] ?? bundle.metadata ?? {};
  if (typeof data["text/html"] === "string") {
    block.append(frame(data["text/html"]));
  } else if (typeof data["text/markdown"] === "string") {
    // marked is loaded only when Markdown output first appears.
    import("./vendor/marked.esm.js").then(({ marked }) => block.append(frame(/** @type {string} */ (marked.parse(data["text/markdown"])))));
  } else if (typeof data["image/svg+xml"] === "string") {
    // As an image, an SVG's scripts never run.
    block.append(image(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(data["image/svg+xml"])}`, meta("image/svg+xml")));
  } else if (typeof data["image/png"] === "string") {
    block.append(image(`data:image/png;base64,${data["image/png"]}`, meta("image/png")));
  } else if (typeof data["image/jpeg"] === "string") {
    block.append(image(`data:image/jpeg;base64,${data["image/jpeg"]}`, meta("image/jpeg")));
  } else if ("application/json" in data) {
    const pre = document.createElement("pre");
    pre.className = "json";
    pre.textContent = JSON.stringify(data["application/json"], null, 2);
    block.append(pre);
  } else {
    const span = document.createElement("span");
    span.className = "result";
    span.textContent = `${data["text/plain"] ?? ""}\n`;
    block.append(span);
  }
  return block;
}

function image(/** @type {string} */ src, /** @type {{alt?: string, width?: number}} */ meta) {
  const img = document.createElement("img");
  img.src = src;
  img.alt = meta.alt || "Image output";
  if (meta.width) img.width = meta.width; // CSS pixels: a 2x bitmap stays crisp on dense screens
  img.decoding = "async";
  return img;
}

/**
 * The frames' stylesheet, named relative to the page: a srcdoc document resolves URLs against its
 * page, and output recorded by `pypage build --execute` (the markup drawn here, on a local server)
 * must find it again on the published site, under any host and sub-path.
 */
const FRAME_CSS = fromPage(new URL("./frame.css", import.meta.url));

function fromPage(/** @type {URL} */ url) {
  const page = new URL(document.baseURI);
  if (page.origin !== url.origin) return url.href;
  const from = page.pathname.split("/").slice(0, -1);
  const to = url.pathname.split("/");
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  return "../".repeat(from.length - common) + to.slice(common).join("/");
}

/**
 * HTML from _repr_html_ or pypage.HTML is the author's intent and is shown as HTML, inside a
 * sandboxed frame without "allow-scripts": its scripts and event handlers never run, and it cannot
 * touch the page. "allow-same-origin" only lets the page size the frame to its content.
 */
function frame(/** @type {string} */ html) {
  const iframe = document.createElement("iframe");
  iframe.className = "pypage-html";
  iframe.title = "HTML output";
  iframe.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
  iframe.srcdoc = `<!doctype html><meta charset="utf-8"><base target="_blank"><link rel="stylesheet" href="${FRAME_CSS}">${html}`;
  iframe.addEventListener("load", () => fitFrame(iframe));
  return iframe;
}

export function fitFrame(/** @type {HTMLIFrameElement} */ iframe) {
  const doc = iframe.contentDocument;
  if (!doc) return;
  const fit = () => (iframe.style.height = `${doc.documentElement.scrollHeight}px`);
  fit();
  new ResizeObserver(fit).observe(doc.documentElement);
}
