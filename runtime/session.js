// The page's conversation with its interpreter: one worker, cells run one at a time in the order
// they were asked for, hidden setup cells first.

import { OutputArea } from "./output.js";

// How long Stop waits for an interrupted cell to give up before restarting Python.
const STOP_GRACE_MS = 1500;
const LABELS = { running: "Stop", queued: "Cancel" };

export class Cell {
  /** @param {HTMLElement} element */
  constructor(element) {
    this.element = element;
    this.id = element.dataset.pypageCell ?? "";
    this.hidden = element.hasAttribute("data-hidden");
    this.autorun = element.hasAttribute("data-autorun");
    this.line = Number(element.dataset.line);
    this.code = element.querySelector(".pypage-code code")?.textContent ?? "";
    this.output = new OutputArea(/** @type {HTMLElement} */ (element.querySelector("[data-pypage-output]")));
    this.statusText = element.querySelector("[data-pypage-cell-status]");
    this.button = element.querySelector("[data-pypage-run]");
  }

  get state() {
    return this.element.dataset.state;
  }

  /** @param {"idle"|"queued"|"running"|"done"|"error"} state */
  setState(state, text = "") {
    this.element.dataset.state = state;
    if (this.statusText) this.statusText.textContent = text;
    if (this.button) {
      const label = LABELS[state] ?? "Run";
      this.button.textContent = label;
      this.button.setAttribute("aria-label", `${label} cell ${this.id}`);
    }
  }
}

export class Session {
  /**
   * @param {object} options
   * @param {Cell[]} options.cells
   * @param {{interpreter: string, interpreterURL: string, page: string}} options.config
   * @param {(state: string, text: string) => void} options.onStatus
   * @param {(urls: string[]) => void} [options.onFetched]  files the Python worker loaded
   */
  constructor({ cells, config, onStatus, onFetched = () => {} }) {
    this.cells = new Map(cells.map((cell) => [cell.id, cell]));
    this.config = config;
    this.onStatus = onStatus;
    this.onFetched = onFetched;
    /** @type {Worker | null} */
    this.worker = null;
    this.ready = false;
    this.failed = "";
    /** @type {Cell[]} */
    this.queue = [];
    /** @type {Cell | null} */
    this.running = null;
    this.setupQueued = false;
    this.startedAt = 0;
    /** @type {Int32Array | null} Pyodide's interrupt buffer (needs cross-origin isolation) */
    this.interrupt = null;
    this.stopTimer = 0;
    this.installing = false; // a cell is installing packages: the page status says so
  }

  /** Take over new cell elements (after an in-place page update), matching old cells by id. */
  rebind(/** @type {Cell[]} */ cells) {
    this.cells = new Map(cells.map((cell) => [cell.id, cell]));
    const current = (/** @type {Cell} */ old) => this.cells.get(old.id);
    this.queue = this.queue.map(current).filter((cell) => cell !== undefined);
    for (const cell of this.queue) cell.setState("queued", this.ready ? "Queued" : "Waiting for Python…");
    // A running cell whose element is gone keeps its old object, so its "done" still frees the queue.
    this.running = this.running && (current(this.running) ?? this.running);
    this.running?.setState("running", "Running…");
  }

  /**
   * Create the worker: a few kilobytes of script that the browser may fetch and evaluate while the
   * page paints. It loads nothing of Python until start().
   */
  prepare() {
    if (this.worker) return;
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    // With SharedArrayBuffer (a cross-origin isolated page), Stop raises KeyboardInterrupt inside
    // the running code instead of restarting Python.
    this.interrupt =
      globalThis.crossOriginIsolated && this.config.interpreter === "pyodide"
        ? new Int32Array(new SharedArrayBuffer(4))
        : null;
    worker.onmessage = ({ data }) => this.receive(data);
    worker.onerror = (event) => this.fail(event.message || "the Python worker could not start");
    this.worker = worker;
  }

  /** Start loading the interpreter (idempotent). */
  start() {
    if (this.startedAt) return;
    this.prepare();
    this.startedAt = performance.now();
    performance.mark("pypage:start");
    this.onStatus("loading", "Loading Python…");
    this.worker?.postMessage({
      type: "init",
      interpreter: this.config.interpreter,
      url: new URL(this.config.interpreterURL, location.href).href,
      interrupt: this.interrupt?.buffer ?? null,
      lock: absolute(this.config.packages?.lock),
      index: absolute(this.config.packages?.index),
      files: (this.config.files ?? []).map(([path, url]) => [path, absolute(url)]),
    });
  }

  /** Ask for a cell to run; it waits for the interpreter and for the cells asked for before it. */
  run(/** @type {Cell} */ cell) {
    if (this.failed || cell.state === "queued" || cell.state === "running") return;
    if (!this.setupQueued) {
      // Hidden setup cells run first, in the order they appear on the page.
      this.setupQueued = true;
      for (const setup of this.cells.values()) if (setup.hidden) this.enqueue(setup);
    }
    if (cell.state !== "queued") this.enqueue(cell);
    this.start();
    this.pump();
  }

  /**
   * Stop a cell: a queued one leaves the queue; a running one gets KeyboardInterrupt when the page
   * can interrupt Python, and Python is restarted if that is impossible or does not work (C loops,
   * time.sleep).
   */
  stop(/** @type {Cell} */ cell) {
    if (cell.state === "queued") {
      this.queue = this.queue.filter((queued) => queued !== cell);
      cell.setState("idle");
      return;
    }
    if (cell !== this.running) return;
    if (!this.interrupt) return this.restart(cell);
    Atomics.store(this.interrupt, 0, 2); // SIGINT
    cell.setState("running", "Stopping…");
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => this.running === cell && this.restart(cell), STOP_GRACE_MS);
  }

  /** End the worker and start a fresh interpreter; the variables of earlier cells are gone. */
  restart(/** @type {Cell} */ stopped) {
    clearTimeout(this.stopTimer);
    this.worker?.terminate();
    Object.assign(this, { worker: null, ready: false, startedAt: 0, setupQueued: false, running: null });
    stopped.output.append(
      "notice",
      "Stopped. Python was restarted, so the variables set by earlier cells are gone: run those cells again.",
    );
    stopped.output.flush();
    stopped.setState("error", "Stopped");
    for (const cell of this.queue) {
      cell.output.append("notice", "Cancelled: Python was restarted.");
      cell.output.flush();
      cell.setState("idle");
    }
    this.queue = [];
    performance.mark("pypage:restart");
    this.start();
  }

  enqueue(/** @type {Cell} */ cell) {
    cell.output.clear();
    cell.setState("queued", this.ready ? "Queued" : "Waiting for Python…");
    this.queue.push(cell);
  }

  pump() {
    if (!this.ready || this.running || !this.queue.length) return;
    const cell = /** @type {Cell} */ (this.queue.shift());
    this.running = cell;
    cell.output.clear();
    cell.setState("running", "Running…");
    this.worker?.postMessage({
      type: "run",
      id: cell.id,
      code: cell.code,
      packages: this.config.packages?.cells?.[cell.id] ?? [],
    });
  }

  receive(message) {
    switch (message.type) {
      case "progress":
        this.onStatus("loading", message.text);
        break;
      case "ready": {
        this.ready = true;
        performance.mark("pypage:ready");
        const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(1);
        this.onStatus("ready", `Python ready (${seconds} s)`);
        for (const cell of this.queue) cell.setState("queued", "Queued");
        this.pump();
        break;
      }
      case "installing": {
        const text = `Installing ${message.names.join(", ")}…`;
        this.cells.get(message.id)?.setState("running", text);
        this.onStatus("loading", text);
        this.installing = true;
        break;
      }
      case "fetched":
        this.onFetched(message.urls);
        break;
      case "output": {
        const cell = this.cells.get(message.id);
        for (const [kind, text] of message.chunks) cell?.output.append(kind, text);
        break;
      }
      case "done": {
        clearTimeout(this.stopTimer);
        if (this.installing) this.onStatus("ready", "Python ready");
        this.installing = false;
        const cell = this.cells.get(message.id);
        if (cell) {
          if (!message.ok) cell.output.append("notice", `(cell '${cell.id}' is at ${this.config.page}, line ${cell.line})`);
          cell.output.flush();
          cell.setState(message.ok ? "done" : "error", message.ok ? "" : "Error");
        }
        this.running = null;
        this.pump();
        break;
      }
      case "fatal":
        this.fail(message.message);
        break;
    }
  }

  fail(/** @type {string} */ reason) {
    if (this.failed) return;
    this.failed = reason;
    this.onStatus("error", `Python failed to load: ${reason}`);
    for (const cell of [...this.queue, ...(this.running ? [this.running] : [])]) {
      cell.output.append("notice", `Python failed to load, so this cell cannot run: ${reason}`);
      cell.output.flush();
      cell.setState("error", "Error");
    }
    this.queue = [];
    this.running = null;
  }
}

/** @param {string | undefined} url  relative to the page */
function absolute(url) {
  return url ? new URL(url, location.href).href : null;
}
