// The page's conversation with its interpreter: one worker, cells run one at a time in the order
// they were asked for, hidden setup cells first.

import { answerBuffer, giveAnswer } from "./answers.js";
import { OutputArea } from "./output.js";

/**
 * @typedef {import("./types/protocol.js").ToWorker} ToWorker
 * @typedef {import("./types/protocol.js").FromWorker} FromWorker
 */

// How long Stop waits for an interrupted cell to give up before restarting Python, and the longest
// it waits once Python has taken the interrupt (a busy machine can be slow to unwind and report).
const STOP_GRACE_MS = 1500;
const STOP_UNWIND_MS = 6000;
// A worker whose script load was cut off is started again this many times, each once the site's
// service worker has settled (see prepare), and waits at most this long for it.
const WORKER_RETRIES = 2;
const SETTLE_MS = 15000;
/** @type {Partial<Record<string, string>>} the Run button's label, by the cell's state */
const LABELS = { running: "Stop", queued: "Cancel" };
// Edits and runs are ordered by one counter: a cell is stale when a cell above it was edited after
// it last ran.
let clock = 0;

export class Cell {
  /** @param {HTMLElement} element */
  constructor(element) {
    this.element = element;
    this.id = element.dataset.pypageCell ?? "";
    this.hidden = element.hasAttribute("data-hidden");
    this.autorun = element.hasAttribute("data-autorun");
    this.line = Number(element.dataset.line);
    this.readonly = element.hasAttribute("data-readonly");
    /** @type {number | null} seconds */
    this.timeout = Number(element.dataset.timeout) || null;
    this.codeHash = element.dataset.codeHash ?? "";
    /** The author's code (without the fence's final newline, which an editor would show as an
     * empty last line); `code` is what runs: the reader's edit, if any. */
    this.original = (element.querySelector(".pypage-code code")?.textContent ?? "").replace(/\n$/, "");
    this.code = this.original;
    this.ranAt = -1;
    this.editedAt = -1;
    /** @type {ReturnType<typeof import("./editor.js").createEditor> | null} the cell's editor,
     * once loaded */
    this.editor = null;
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

  /** The reader changed the code (the editor calls this). */
  edited(/** @type {string} */ code) {
    this.code = code;
    this.editedAt = ++clock;
  }

  /** Mark the cell when its output may no longer match the cells above it. */
  setStale(/** @type {boolean} */ stale) {
    if (stale === this.element.hasAttribute("data-stale")) return;
    this.element.toggleAttribute("data-stale", stale);
    let note = this.element.querySelector("[data-pypage-stale]");
    if (!note && stale) {
      note = document.createElement("span");
      note.className = "pypage-stale";
      note.setAttribute("data-pypage-stale", "");
      note.textContent = "Stale: a cell above was edited since this ran";
      this.statusText?.after(note);
    }
    note?.toggleAttribute("hidden", !stale);
  }
}

export class Session {
  /**
   * @param {object} options
   * @param {Cell[]} options.cells
   * @param {import("./types/protocol.js").PageConfig} options.config
   * @param {(state: string, text: string) => void} options.onStatus
   * @param {(urls: string[]) => void} [options.onFetched]  files the Python worker loaded
   * @param {(state: string) => void} [options.onSnapshot]  how Python started (see worker.js)
   * @param {() => string | null} [options.answersURL]  where the service worker takes input()
   *   answers, if it controls the page (used when shared memory is not available)
   */
  constructor({
    cells,
    config,
    onStatus,
    onFetched = () => {},
    onSnapshot = () => {},
    answersURL = () => null,
  }) {
    this.cells = new Map(cells.map((cell) => [cell.id, cell]));
    this.answersURL = answersURL;
    /** @type {{buffer: SharedArrayBuffer | null, url: string | null}} how input() answers travel */
    this.answers = { buffer: null, url: null };
    /** @type {{cell: Cell, token: string | null, prompt: string, cancel: () => void} | null}
     * an input() waiting for the reader */
    this.asking = null;
    /** @type {{cell: Cell, why: string} | null} the cell being stopped, and why */
    this.stopping = null;
    /** @type {{id: string, left: number, why: string, armedAt: number} | null} the running
     * cell's time limit; it pauses while input() waits for the reader */
    this.limit = null;
    this.timeoutTimer = 0;
    this.stopOnError = false; // Run all: the first error cancels the cells still queued
    /** @type {(() => void)[]} */
    this.readyCallbacks = [];
    this.config = config;
    this.onStatus = onStatus;
    this.onFetched = onFetched;
    this.onSnapshot = onSnapshot;
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
    /** @type {Int32Array<SharedArrayBuffer> | null} the interpreter's interrupt buffer (needs
     * cross-origin isolation) */
    this.interrupt = null;
    this.stopTimer = 0;
    this.ends = 0; // end() calls: a retry waiting for the service worker is dropped after one
    this.workerRetries = 0; // times a worker that failed to load was started again (see prepare)
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
    if (this.stopping) this.stopping.cell = this.running ?? this.stopping.cell;
    this.running?.setState("running", this.stopping ? "Stopping…" : "Running…");
    // A question input() asked moves into the new element.
    const asking = this.asking;
    if (asking && this.running) {
      asking.cancel();
      this.ask(this.running, asking.token, asking.prompt);
    }
  }

  /**
   * In-site navigation showed another page of the same interpreter: its cells start in a fresh
   * namespace, and modules already imported stay imported. A cell still running on the page the
   * reader left (or a failed start) is not carried over: Python restarts, from its snapshot.
   * @param {Cell[]} cells
   * @param {import("./types/protocol.js").PageConfig} config
   */
  newPage(cells, config) {
    this.asking?.cancel();
    Object.assign(this, { asking: null, queue: [], stopOnError: false, setupQueued: false, config });
    this.cells = new Map(cells.map((cell) => [cell.id, cell]));
    if (this.running || this.failed) return this.restart();
    if (!this.startedAt) return; // "init" will carry the new page's settings
    this.worker?.postMessage(
      /** @satisfies {ToWorker} */ ({ type: "page", files: config.files ?? [], base: location.href }),
    );
  }

  /** The page left needs no more Python (the next page uses the other interpreter). */
  end() {
    this.ends += 1;
    clearTimeout(this.stopTimer);
    clearTimeout(this.timeoutTimer);
    this.asking?.cancel();
    this.worker?.terminate();
    this.worker = null;
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
    const shared = globalThis.crossOriginIsolated === true;
    this.interrupt = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.answers = { buffer: shared ? answerBuffer() : null, url: shared ? null : this.answersURL() };
    // A terminated worker's last messages must not reach its successor's cells.
    let heard = false;
    const listening = new AbortController();
    worker.onmessage = (/** @type {MessageEvent<FromWorker>} */ { data }) => {
      heard = true;
      listening.abort();
      this.workerRetries = 0;
      if (this.worker === worker) this.receive(data);
    };
    // The script's load can be lost when the site's service worker is replaced at that moment (a
    // new deployment, opened in another tab): cut off (an error without a message), or never
    // answered at all (Chromium: no error, no script). A load made while the new one activates
    // can also miss the headers cross-origin isolation needs. A worker that never spoke is
    // started again once the service worker has settled.
    const lost = () => {
      if (heard || this.worker !== worker || this.workerRetries >= WORKER_RETRIES) return false;
      listening.abort();
      this.workerRetries += 1;
      const started = this.startedAt;
      const ends = this.ends;
      worker.terminate();
      Object.assign(this, { worker: null, startedAt: 0 });
      serviceWorkerSettled().then(() => {
        if (this.worker || this.ends !== ends) return; // started or ended meanwhile
        if (started) this.start();
        else this.prepare();
      });
      return true;
    };
    worker.onerror = (event) => {
      if (this.worker !== worker || (!event.message && lost())) return;
      this.fail(event.message || "the Python worker could not start");
    };
    // Only a replacement: a first visit's service worker taking control leaves loads alone.
    if (navigator.serviceWorker?.controller) {
      navigator.serviceWorker.addEventListener("controllerchange", lost, { signal: listening.signal });
    }
    worker.postMessage(/** @satisfies {ToWorker} */ ({ type: "answers", ...this.answers }));
    this.worker = worker;
  }

  /** A service worker took control of the page: input() can reach the page through it now. */
  answersChanged() {
    if (!this.worker || this.answers.buffer || this.answers.url) return;
    this.answers.url = this.answersURL();
    if (!this.answers.url) return;
    this.worker.postMessage(/** @satisfies {ToWorker} */ ({ type: "answers", ...this.answers }));
  }

  /** Call back once Python is ready (or failed to load), at once if it is already. */
  whenReady(/** @type {() => void} */ callback) {
    if (this.ready || this.failed) return callback();
    this.readyCallbacks.push(callback);
  }

  /** Start loading the interpreter (idempotent). */
  start() {
    if (this.startedAt) return;
    this.prepare();
    this.startedAt = performance.now();
    performance.mark("pypage:start");
    this.onStatus("loading", "Loading Python…");
    this.worker?.postMessage(
      /** @satisfies {ToWorker} */ ({
        type: "init",
        config: this.config,
        base: location.href,
        interrupt: this.interrupt?.buffer ?? null,
      }),
    );
  }

  /** Ask for a cell to run; it waits for the interpreter and for the cells asked for before it. */
  run(/** @type {Cell} */ cell) {
    if (this.failed) return this.cannotRun(cell); // a Run pressed after the failure still answers
    if (cell.state === "queued" || cell.state === "running") return;
    if (!this.setupQueued) {
      // Hidden setup cells run first, in the order they appear on the page.
      this.setupQueued = true;
      for (const setup of this.cells.values()) if (setup.hidden) this.enqueue(setup);
    }
    if (cell.state !== "queued") this.enqueue(cell);
    this.start();
    this.pump();
  }

  /** Run every cell of the page in order (or those above `until`), stopping at the first error. */
  runAll(/** @type {Cell | null} */ until = null) {
    if (this.failed) return this.cellsAbove(until).forEach((cell) => this.cannotRun(cell));
    this.stopOnError = true;
    for (const cell of this.cellsAbove(until)) this.run(cell);
    if (until === null) this.start(); // a page of hidden cells only still starts Python
  }

  /**
   * The reader pressed Stop (or the cell's time limit passed): a queued cell leaves the queue; a
   * running one gets KeyboardInterrupt when the page can interrupt Python, and Python is restarted
   * if that is impossible or does not work (C loops, time.sleep).
   */
  stop(/** @type {Cell} */ cell, why = "") {
    if (cell.state === "queued") {
      this.queue = this.queue.filter((queued) => queued !== cell);
      cell.setState("idle");
      return;
    }
    if (cell !== this.running) return;
    if (this.stopping) return this.restart(cell, this.stopping.why); // Stop pressed again: at once
    this.stopping = { cell, why };
    clearTimeout(this.timeoutTimer);
    this.limit = null;
    const asking = this.asking?.cell === cell ? this.asking : null;
    if (asking) {
      // input() is waiting: its reply "stopped" raises KeyboardInterrupt, on either interpreter.
      asking.cancel();
      this.asking = null;
      giveAnswer(this.answers, asking.token, null);
    } else if (this.interrupt) {
      Atomics.store(this.interrupt, 0, 2); // SIGINT
      Atomics.notify(this.interrupt, 0); // ends a time.sleep at once (the worker waits on it)
    } else {
      return this.restart(cell, why);
    }
    cell.setState("running", "Stopping…");
    this.awaitStop(cell.id, why, asking ? null : performance.now());
  }

  /**
   * Restart Python if the stopped cell has not ended after the grace period. The interpreter
   * clears the interrupt buffer when it takes the interrupt, so a cleared buffer means
   * KeyboardInterrupt is on its way (a slow machine, a long traceback): that earns more time, up to
   * STOP_UNWIND_MS. A buffer still set means Python never looked (Pyodide in time.sleep or a C
   * loop; MicroPython in a loop that neither prints nor sleeps): only a restart helps. `since` is
   * null when no interrupt was sent (input() was answered with "stopped" instead).
   */
  awaitStop(/** @type {string} */ id, /** @type {string} */ why, /** @type {number | null} */ since) {
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      // By id: after a live reload the running cell is a new object for the same cell.
      if (this.running?.id !== id) return;
      const taken = since !== null && this.interrupt !== null && Atomics.load(this.interrupt, 0) === 0;
      if (taken && performance.now() - since < STOP_UNWIND_MS) this.awaitStop(id, why, since);
      else this.restart(this.running, why);
    }, STOP_GRACE_MS);
  }

  /**
   * End the worker and start a fresh interpreter: the variables of earlier cells are gone, so no
   * cell keeps a "done" mark. `stopped` (if any) is the cell that could not be stopped otherwise.
   */
  restart(/** @type {Cell | null} */ stopped = null, why = "") {
    const running = this.running;
    this.end();
    Object.assign(this, {
      worker: null,
      ready: false,
      startedAt: 0,
      setupQueued: false,
      running: null,
      asking: null,
      stopping: null,
      limit: null,
      failed: "",
    });
    if (stopped) {
      stopped.output.append(
        "notice",
        `${why || "Stopped."} Python was restarted, so the variables set by earlier cells are gone.`,
      );
      const above = this.cellsAbove(stopped);
      if (above.length) stopped.output.action("Run all above", () => this.runAll(stopped));
      stopped.output.flush();
      stopped.setState("error", "Stopped");
    } else if (running) {
      running.output.append("notice", "Stopped: Python was restarted.");
      running.output.flush();
    }
    this.cancelQueue("Cancelled: Python was restarted.");
    for (const cell of this.cells.values()) {
      if (cell !== stopped) {
        if (cell.state !== "idle") cell.setState("idle");
        cell.setStale(false);
      }
    }
    performance.mark("pypage:restart");
    this.start();
  }

  /** Toolbar: empty every output area (a running cell's output keeps coming). */
  clearOutputs() {
    for (const cell of this.cells.values()) {
      if (cell === this.running) continue;
      cell.output.clear();
      if (cell.state !== "queued") cell.setState("idle");
      cell.setStale(false);
    }
  }

  /** Cells above `cell` (all, without one) that the reader can run (hidden setup cells run by
   * themselves). */
  cellsAbove(/** @type {Cell | null} */ cell) {
    const above = [];
    for (const other of this.cells.values()) {
      if (other === cell) break;
      if (!other.hidden) above.push(other);
    }
    return above;
  }

  cancelQueue(/** @type {string} */ why) {
    for (const cell of this.queue) {
      cell.output.append("notice", why);
      cell.output.flush();
      cell.setState("idle");
    }
    this.queue = [];
    this.stopOnError = false;
  }

  /** Mark the cells whose upstream code was edited after they ran. */
  refreshStale() {
    let lastEdit = -1;
    for (const cell of this.cells.values()) {
      const ran = cell.state === "done" || cell.state === "error";
      cell.setStale(ran && lastEdit > cell.ranAt);
      lastEdit = Math.max(lastEdit, cell.editedAt);
    }
  }

  /** Show input()'s field in the cell; the reader's answer goes back to the waiting worker. */
  ask(/** @type {Cell} */ cell, /** @type {string | null} */ token, /** @type {string} */ prompt) {
    cell.setState("running", "Waiting for input…");
    const label = `Input for cell ${cell.id}${prompt.trim() ? `: ${prompt.trim()}` : ""}`;
    const cancel = cell.output.ask(label, (text) => {
      this.asking = null;
      cell.setState("running", "Running…");
      this.armLimit();
      giveAnswer(this.answers, token, text);
    });
    this.asking = { cell, token, prompt, cancel };
  }

  armLimit() {
    const limit = this.limit;
    if (!limit) return;
    limit.armedAt = performance.now();
    clearTimeout(this.timeoutTimer);
    this.timeoutTimer = setTimeout(() => {
      if (this.running?.id === limit.id) this.stop(this.running, limit.why);
    }, limit.left);
  }

  pauseLimit() {
    if (!this.limit) return;
    clearTimeout(this.timeoutTimer);
    this.limit.left -= performance.now() - this.limit.armedAt;
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
    cell.ranAt = ++clock;
    cell.setStale(false);
    this.worker?.postMessage(
      /** @satisfies {ToWorker} */ ({
        type: "run",
        id: cell.id,
        code: cell.code,
        packages: this.config.packages?.cells?.[cell.id] ?? [],
      }),
    );
  }

  receive(/** @type {FromWorker} */ message) {
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
        for (const callback of this.readyCallbacks.splice(0)) callback();
        break;
      }
      case "installing": {
        const text = `Installing ${message.names.join(", ")}…`;
        this.cells.get(message.id)?.setState("running", text);
        this.onStatus("loading", text);
        this.installing = true;
        break;
      }
      case "started": {
        const seconds = this.cells.get(message.id)?.timeout ?? this.config.timeout;
        if (seconds) {
          const why = `Stopped: this cell may run for ${seconds} s.`;
          this.limit = { id: message.id, left: seconds * 1000, why, armedAt: 0 };
          this.armLimit();
        }
        break;
      }
      case "input": {
        const cell = this.cells.get(message.id);
        if (!cell || cell !== this.running || this.stopping) {
          // Nobody to ask, or the reader already pressed Stop: input() raises KeyboardInterrupt.
          giveAnswer(this.answers, message.token ?? null, null);
          break;
        }
        this.pauseLimit(); // the reader's thinking time is not the cell's running time
        this.ask(cell, message.token ?? null, message.prompt ?? "");
        break;
      }
      case "fetched":
        this.onFetched(message.urls);
        break;
      case "snapshot":
        this.onSnapshot(message.state);
        break;
      case "output": {
        const cell = this.cells.get(message.id);
        for (const [kind, text] of message.chunks) cell?.output.append(kind, text);
        break;
      }
      case "done": {
        clearTimeout(this.stopTimer);
        clearTimeout(this.timeoutTimer);
        this.limit = null;
        if (this.installing) this.onStatus("ready", "Python ready");
        this.installing = false;
        const cell = this.cells.get(message.id);
        const stopped = this.stopping;
        this.stopping = null;
        this.asking?.cancel();
        this.asking = null;
        if (cell) {
          if (stopped?.why && !message.ok) cell.output.append("notice", stopped.why);
          else if (!message.ok) cell.output.append("notice", `(cell '${cell.id}' is at ${this.config.page}, line ${cell.line})`);
          cell.output.flush();
          cell.setState(message.ok ? "done" : "error", message.ok ? "" : stopped ? "Stopped" : "Error");
        }
        this.running = null;
        if (!message.ok && this.stopOnError && this.queue.length) {
          this.cancelQueue(`Not run: cell '${message.id}' above failed.`);
        }
        if (!this.queue.length) this.stopOnError = false;
        this.refreshStale();
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
    for (const callback of this.readyCallbacks.splice(0)) callback();
    this.onStatus("error", `Python failed to load: ${reason}`);
    for (const cell of [...this.queue, ...(this.running ? [this.running] : [])]) {
      this.cannotRun(cell);
    }
    this.queue = [];
    this.running = null;
  }

  cannotRun(/** @type {Cell} */ cell) {
    cell.output.clear();
    cell.output.append("notice", `Python failed to load, so this cell cannot run: ${this.failed}`);
    cell.output.flush();
    cell.setState("error", "Error");
  }
}

/** Resolves once the page's service worker (if any) is the registration's active one, activated,
 * with no other on its way (or after SETTLE_MS: the page goes on as it can). */
async function serviceWorkerSettled() {
  const container = navigator.serviceWorker;
  const registration = container?.controller ? await container.getRegistration() : undefined;
  if (!container || !registration) return;
  const deadline = performance.now() + SETTLE_MS;
  const settled = () =>
    !registration.installing &&
    !registration.waiting &&
    registration.active?.state === "activated" &&
    container.controller === registration.active;
  while (!settled() && performance.now() < deadline) {
    const change = new AbortController();
    const { signal } = change;
    await new Promise((resolve) => {
      signal.addEventListener("abort", resolve);
      const timer = setTimeout(() => change.abort(), deadline - performance.now());
      signal.addEventListener("abort", () => clearTimeout(timer));
      const changed = () => change.abort();
      container.addEventListener("controllerchange", changed, { signal });
      registration.addEventListener("updatefound", changed, { signal });
      for (const worker of [registration.installing, registration.waiting, registration.active]) {
        worker?.addEventListener("statechange", changed, { signal });
      }
    });
  }
}
