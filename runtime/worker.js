// The interpreter's home: a module Web Worker, so a busy cell never freezes the page.
//
// Protocol (page → worker):  {type: "init", interpreter, url, interrupt: SharedArrayBuffer|null,
//                             answers: SharedArrayBuffer|null, answersURL: URL|null,
//                             lock: URL|null, index: URL|null, files: [[path, URL], …]}
//                            {type: "run", id, code, packages: [name, …]}
//                            {type: "answers", url} (the service worker now controls the page)
// Protocol (worker → page):  {type: "progress", text} · {type: "ready"} · {type: "fatal", message}
//                            {type: "installing", id, names} (packages the cell needs, loading)
//                            {type: "started", id} (the cell's own code begins: its time limit too)
//                            {type: "output", id, chunks: [[kind, text], …]} · {type: "done", id, ok}
//                            {type: "input", id, prompt, token} (input() waits for the reader)
//                            {type: "fetched", urls} (files the worker loaded, for the service worker)
// Output kinds: "stdout", "stderr", "result" (repr of a final expression), "error" (traceback),
// "display" (a JSON MIME bundle from pypage.display), "clear" (display(..., clear=True)).

import { readAnswer } from "./answers.js";
import * as micropython from "./interpreters/micropython.js";
import * as pyodide from "./interpreters/pyodide.js";

/**
 * Interpreter adapters (each exports `load(options) → Promise<Interpreter>`; a few kilobytes, so
 * imported up front) and the name of the interpreter's own ES module.
 */
const ADAPTERS = {
  pyodide: { adapter: pyodide, entry: "pyodide.mjs" },
  micropython: { adapter: micropython, entry: "micropython.mjs" },
};

/** @type {Promise<pyodide.Interpreter> | null} */
let interpreter = null;
let queue = Promise.resolve();

self.onmessage = ({ data }) => {
  if (data.type === "init") {
    answers = { buffer: data.answers ?? null, url: data.answersURL ?? null };
    interpreter = start(data);
  } else if (data.type === "answers") {
    answers.url = data.url;
  } else if (data.type === "run") {
    queue = queue.then(() => run(data));
  }
};

/** @type {Int32Array | null} */
let interrupt = null;
/** How input() gets the reader's answer while Python blocks: see answers.js. */
let answers = { buffer: null, url: null };

/** input()'s way to the page, called synchronously by Python: "=answer", "!" (Stop) or "?why". */
function readLine(/** @type {string} */ prompt) {
  const id = running;
  batcher(id)?.flush();
  return readAnswer(answers, (token) => self.postMessage({ type: "input", id, prompt, token }));
}

async function start({ interpreter: name, url, interrupt: shared, lock, index, files }) {
  interrupt = shared ? new Int32Array(shared) : null;
  try {
    const known = ADAPTERS[name];
    if (!known) throw new Error(`unknown interpreter '${name}'`);
    const entry = import(new URL(known.entry, url).href);
    entry.catch(() => {}); // awaited by the adapter; this only keeps the console free of noise
    const loaded = await known.adapter.load({
      url,
      interrupt,
      entry,
      lock: lock ?? null,
      index: index ?? null,
      fetchText,
      progress: (text) => self.postMessage({ type: "progress", text }),
      output: (kind, text, cell) => batcher(cell ?? running)?.write(kind, text),
      flush: () => batcher(running)?.flush(),
      readLine,
    });
    await writeFiles(loaded.fs, files ?? []);
    self.postMessage({ type: "ready" });
    reportFetched();
    return loaded;
  } catch (error) {
    self.postMessage({ type: "fatal", message: String(error?.message ?? error) });
    throw error;
  }
}

/** Data files (files: in the front matter) go where cells look for them: their working directory. */
async function writeFiles(fs, files) {
  const contents = await Promise.all(
    files.map(async ([, url]) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    }),
  );
  files.forEach(([path, ], i) => {
    const target = `${fs.cwd()}/${path}`;
    fs.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    fs.writeFile(target, contents[i]);
  });
}

/** The files this worker fetched, so the page's service worker can keep them for the next visit. */
function reportFetched() {
  const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
  self.postMessage({ type: "fetched", urls });
}

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

async function run({ id, code, packages }) {
  const python = await interpreter;
  running = id;
  if (interrupt) Atomics.store(interrupt, 0, 0); // a Stop meant for an earlier cell is void
  let ok = false;
  try {
    const missing = (packages ?? []).filter((name) => !installed.has(name));
    if (missing.length) {
      self.postMessage({ type: "installing", id, names: missing });
      const problems = await python.install(missing);
      for (const name of missing) installed.add(name);
      reportFetched();
      if (problems.length) {
        batcher(id)?.write("error", `pypage: could not install ${missing.join(", ")}:\n${problems.join("\n")}\n`);
        return;
      }
    }
    self.postMessage({ type: "started", id });
    ok = await python.run({ id, code });
  } catch (error) {
    batcher(id)?.write("error", `pypage: the runtime failed: ${error?.message ?? error}\n`);
  } finally {
    batcher(id)?.flush();
    running = null;
    self.postMessage({ type: "done", id, ok });
  }
}

/**
 * Output is batched so that 20,000 prints are a handful of messages, not 20,000; a batch leaves at
 * once when the previous one is older than a frame, so streaming stays live.
 */
class Batcher {
  constructor(id) {
    this.id = id;
    /** @type {[string, string][]} */
    this.chunks = [];
    this.sentAt = 0;
    this.timer = 0;
  }

  write(kind, text) {
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
    self.postMessage({ type: "output", id: this.id, chunks: this.chunks });
    this.chunks = [];
    this.sentAt = performance.now();
  }
}
