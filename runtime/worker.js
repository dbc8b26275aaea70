// The interpreter's home: a module Web Worker, so a busy cell never freezes the page.
//
// Protocol (page → worker):  {type: "init", config, base, interrupt: SharedArrayBuffer|null}
//                              (config: the page's #pypage-config; its URLs are relative to base,
//                              and adapterURL, interpreterModuleURL name what to load)
//                            {type: "answers", buffer: SharedArrayBuffer|null, url: string|null}
//                              (how input() reaches the page: see answers.js; sent again when the
//                              service worker takes control of the page)
//                            {type: "run", id, code, packages: [name, …]}
//                            {type: "page", files, base} (in-site navigation showed another page:
//                              a fresh namespace, and that page's data files, relative to base)
// Protocol (worker → page):  {type: "progress", text} · {type: "ready"} · {type: "fatal", message}
//                            {type: "installing", id, names} (packages the cell needs, loading)
//                            {type: "started", id} (the cell's own code begins: its time limit too)
//                            {type: "output", id, chunks: [[kind, text], …]} · {type: "done", id, ok}
//                            {type: "input", id, prompt, token} (input() waits for the reader)
//                            {type: "fetched", urls} (files the worker loaded, for the service worker)
//                            {type: "snapshot", state} (how Python started: "restored" from a
//                              memory snapshot; "made" one, then "kept" or "unavailable" once
//                              stored or not; "unavailable"; "off")
// Output kinds: "stdout", "stderr", "result" (repr of a final expression), "error" (traceback),
// "display" (a JSON MIME bundle from pypage.display), "clear" (display(..., clear=True)).
// types/protocol.d.ts declares these messages' types, and the config's, for the type checker.
//
// Nothing is imported up front: the worker answers "init" as soon as this file is evaluated, then
// fetches its adapter, the interpreter and answers.js side by side (MicroPython's first output is
// a matter of a few round trips).

/**
 * @typedef {import("./types/protocol.js").PageConfig} PageConfig
 * @typedef {import("./types/protocol.js").ToWorker} ToWorker
 * @typedef {import("./types/protocol.js").FromWorker} FromWorker
 * @typedef {import("./interpreters/pyodide.js").Interpreter} Interpreter
 * @typedef {import("./interpreters/pyodide.js").FileSystem} FileSystem
 */

/** @type {Promise<typeof import("./answers.js")>} */
const answersModule = import("./answers.js");
answersModule.catch(() => {}); // awaited by start(), which reports a failure
/** @type {typeof import("./answers.js").readAnswer | null} set before the worker reports ready */
let readAnswer = null;

/** @type {Promise<Interpreter> | null} */
let interpreter = null;
let queue = Promise.resolve();
let waiting = 0; // runs asked for and not finished

self.onmessage = (/** @type {MessageEvent<ToWorker>} */ { data }) => {
  if (data.type === "init") {
    interpreter = start(data);
  } else if (data.type === "answers") {
    answers = { buffer: data.buffer ?? null, url: data.url ?? null };
  } else if (data.type === "run") {
    waiting++;
    queue = queue.then(() => run(data));
  } else if (data.type === "page") {
    queue = queue.then(() => newPage(data));
  }
};

/** @type {Int32Array | null} */
let interrupt = null;
/** @type {import("./types/protocol.js").AnswerChannel} how input() gets the reader's answer
 * while Python blocks: see answers.js */
let answers = { buffer: null, url: null };

/** input()'s way to the page, called synchronously by Python: "=answer", "!" (Stop) or "?why". */
function readLine(/** @type {string} */ prompt) {
  const id = running;
  batcher(id)?.flush();
  return /** @type {NonNullable<typeof readAnswer>} */ (readAnswer)(answers, (token) =>
    post({ type: "input", id: /** @type {string} */ (id), prompt, token }),
  );
}

/**
 * Whether the reader pressed Stop; if so the interrupt is taken: the buffer is cleared, which tells
 * the page that KeyboardInterrupt is on its way (see Session.awaitStop), and the caller raises it.
 */
function takeInterrupt() {
  if (!interrupt || Atomics.load(interrupt, 0) === 0) return false;
  Atomics.store(interrupt, 0, 0);
  return true;
}

/** time.sleep on a page that can interrupt Python: Stop ends the wait at once (and is taken). */
function wait(/** @type {number} */ seconds) {
  Atomics.wait(/** @type {Int32Array} */ (interrupt), 0, 0, seconds * 1000);
  return takeInterrupt();
}

/** @param {{config: PageConfig, base: string, interrupt: SharedArrayBuffer | null}} message */
async function start({ config, base, interrupt: shared }) {
  interrupt = shared ? new Int32Array(shared) : null;
  const absolute = (/** @type {string | undefined} */ url) => (url ? new URL(url, base).href : null);
  try {
    const url = /** @type {string} */ (absolute(config.interpreterURL));
    // The page names the adapter (it exports `load(options) → Promise<Interpreter>`) and the
    // interpreter's ES module, so this worker keeps no list of interpreters.
    const adapter = /** @type {Promise<typeof import("./interpreters/pyodide.js")>} */ (
      import(/** @type {string} */ (absolute(config.adapterURL)))
    );
    const entry = import(/** @type {string} */ (absolute(config.interpreterModuleURL)));
    entry.catch(() => {}); // awaited by the adapter; this only keeps the console free of noise
    /** @type {[string, string][]} */
    const files = (config.files ?? []).map(([path, file]) => [
      path,
      /** @type {string} */ (absolute(file)),
    ]);
    const loaded = await (await adapter).load({
      url,
      interrupt,
      entry,
      lock: absolute(config.packages?.lock),
      snapshot: absolute(config.snapshot),
      index: absolute(config.packages?.index),
      fetchText,
      progress: (text) => post({ type: "progress", text }),
      output: (kind, text, cell) => batcher(cell ?? running)?.write(kind, text),
      flush: () => batcher(running)?.flush(),
      readLine,
      wait: interrupt ? wait : null,
      takeInterrupt,
    });
    await writeFiles(loaded.fs, files);
    readAnswer = (await answersModule).readAnswer;
    post({ type: "snapshot", state: loaded.snapshot }); // first: "ready" pages see how it began
    post({ type: "ready" });
    reportFetched();
    keepSnapshotWhenIdle(loaded);
    return loaded;
  } catch (error) {
    post({ type: "fatal", message: errorMessage(error) });
    throw error;
  }
}

/**
 * Data files (files: in the front matter) go where cells look for them: their working directory.
 * @param {FileSystem} fs
 * @param {[path: string, url: string][]} files
 */
async function writeFiles(fs, files) {
  const contents = await Promise.all(
    files.map(async ([, url]) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }),
  );
  files.forEach(([path], i) => {
    const target = `${fs.cwd()}/${path}`;
    fs.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    fs.writeFile(target, contents[i]);
  });
}

/** The files this worker fetched, so the page's service worker can keep them for the next visit. */
function reportFetched() {
  const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
  post({ type: "fetched", urls });
}

/** @param {URL} url */
async function fetchText(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** @type {Set<string>} packages already installed (asked for by an earlier cell) */
const installed = new Set();

/** @type {string | null} the id of the cell that is running */
let running = null;
/** @type {Map<string, Batcher>} output waiting to be posted, by cell (a cell's asyncio tasks may
 * still print after it finished) */
const batchers = new Map();

function batcher(/** @type {string | null} */ id) {
  if (id === null) return null;
  if (!batchers.has(id)) batchers.set(id, new Batcher(id));
  return batchers.get(id);
}

/**
 * Another page of the site is shown: the same interpreter, a fresh namespace, its data files.
 * @param {{files: [string, string][], base: string}} page
 */
async function newPage({ files, base }) {
  // A failed start was reported already; "init" came first (the page sends "page" only after it).
  const python = await /** @type {Promise<Interpreter>} */ (interpreter).catch(() => null);
  if (!python) return;
  batchers.clear();
  try {
    python.newPage();
    await writeFiles(python.fs, files.map(([path, url]) => [path, new URL(url, base).href]));
  } catch (error) {
    console.warn(`pypage: the new page's files could not be written: ${errorMessage(error)}`);
  }
}

/** @param {{id: string, code: string, packages?: string[]}} cell */
async function run({ id, code, packages }) {
  // "init" comes first: the page sends "run" only after it.
  const python = /** @type {Interpreter} */ (await interpreter);
  running = id;
  if (interrupt) Atomics.store(interrupt, 0, 0); // a Stop meant for an earlier cell is void
  let ok = false;
  try {
    const missing = (packages ?? []).filter((name) => !installed.has(name));
    if (missing.length) {
      post({ type: "installing", id, names: missing });
      const problems = await python.install(missing);
      for (const name of missing) installed.add(name);
      reportFetched();
      if (problems.length) {
        batcher(id)?.write("error", `pypage: could not install ${missing.join(", ")}:\n${problems.join("\n")}\n`);
        return;
      }
    }
    post({ type: "started", id });
    ok = await python.run({ id, code });
  } catch (error) {
    batcher(id)?.write("error", `pypage: the runtime failed: ${errorMessage(error)}\n`);
  } finally {
    batcher(id)?.flush();
    running = null;
    waiting--;
    post({ type: "done", id, ok });
    keepSnapshotWhenIdle(python);
  }
}

let keepTimer = 0;

/**
 * Store the snapshot the interpreter made once no cell is waiting: writing 30 MB must not delay
 * the first output. It is kept for the next start (a visit, a restart, another page).
 * @param {Interpreter} python
 */
function keepSnapshotWhenIdle(python) {
  clearTimeout(keepTimer);
  const keep = python.keepSnapshot;
  if (!keep) return;
  keepTimer = setTimeout(() => {
    if (waiting > 0 || python.keepSnapshot !== keep) return; // the next "done" comes back here
    python.keepSnapshot = null;
    keep().then(
      () => post({ type: "snapshot", state: "kept" }),
      (error) => {
        console.warn(`pypage: could not store Python's snapshot: ${errorMessage(error)}`);
        post({ type: "snapshot", state: "unavailable" });
      },
    );
  }, 100);
}

/** Every message to the page leaves here, so the type checker holds each to the protocol. */
function post(/** @type {FromWorker} */ message) {
  self.postMessage(message);
}

function errorMessage(/** @type {unknown} */ error) {
  return String(/** @type {{message?: unknown} | null | undefined} */ (error)?.message ?? error);
}

/**
 * Output is batched so that 20,000 prints are a handful of messages, not 20,000; a batch leaves at
 * once when the previous one is older than a frame, so streaming stays live.
 */
class Batcher {
  constructor(/** @type {string} */ id) {
    this.id = id;
    /** @type {[string, string][]} */
    this.chunks = [];
    this.sentAt = 0;
    this.timer = 0;
  }

  write(/** @type {string} */ kind, /** @type {string} */ text) {
    if (!text && kind !== "clear") return;
    const last = this.chunks[this.chunks.length - 1];
    // Streamed text joins the chunk before it; each display or clear stays one message.
    if (last && last[0] === kind && (kind === "stdout" || kind === "stderr")) last[1] += text;
    else this.chunks.push([kind, text]);
    if (performance.now() - this.sentAt > 16) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), 16);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.chunks.length) return;
    post({ type: "output", id: this.id, chunks: this.chunks });
    this.chunks = [];
    this.sentAt = performance.now();
  }
}
