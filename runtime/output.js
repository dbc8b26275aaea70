// A cell's output area. Text arrives in chunks and is drawn once per frame, so a flood of output
// costs a few DOM writes, not thousands. Printed text is only ever a text node: never markup.

const CLASSES = { stdout: "stdout", stderr: "stderr", result: "result", error: "traceback", notice: "notice" };

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

  /** @param {string} kind one of stdout, stderr, result, error, notice */
  append(kind, text) {
    if (!text) return;
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
      const last = box.lastElementChild;
      if (last && last.dataset.kind === kind && last.firstChild) {
        /** @type {Text} */ (last.firstChild).appendData(text);
      } else {
        const span = document.createElement("span");
        span.className = CLASSES[kind] ?? kind;
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
