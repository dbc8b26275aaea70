// Pyodide (full CPython) behind the adapter interface the worker expects.

import * as snapshots from "./snapshot.js";

/**
 * @typedef {object} Interpreter
 * @property {(cell: {id: string, code: string}) => Promise<boolean>} run  resolves false if the
 *   cell raised (its traceback was written as "error" output)
 * @property {(names: string[]) => Promise<string[]>} install  loads packages from the site's lock;
 *   resolves with the problems met (none when all went well)
 * @property {FileSystem} fs  the interpreter's (Emscripten) file system
 * @property {"restored" | "made" | "unavailable" | "off"} snapshot  how this interpreter started:
 *   from a stored memory snapshot, or normally, having made one (or not: none can be made, or
 *   a stored one failed before)
 * @property {(() => Promise<void>) | null} keepSnapshot  stores the snapshot it made, once
 * @property {() => void} newPage  another page of the site is shown: a fresh namespace for its
 *   cells (imported modules stay)
 *
 * @typedef {object} FileSystem  what the worker uses of Emscripten's file system
 * @property {() => string} cwd
 * @property {(path: string) => void} mkdirTree
 * @property {(path: string, data: string | Uint8Array) => void} writeFile
 *
 * @typedef {object} CellRunner  the Python module that runs cells (python/_pypage_cell*.py)
 * @property {(...callbacks: Function[]) => void} install  output, flush, readLine and wait
 * @property {(code: string, id: string) => boolean | Promise<boolean>} run
 * @property {() => void} new_page
 *
 * @typedef {object} LoadOptions
 * @property {string} url  absolute URL of the folder holding the interpreter's files
 * @property {Promise<unknown>} entry  the interpreter's own ES module, already being imported
 *   (each adapter knows which it is)
 * @property {Int32Array | null} interrupt  set to 2 by the page to interrupt the running code
 * @property {string | null} lock  absolute URL of the site's pyodide-lock.json (null: no packages)
 * @property {string | null} index  absolute URL of the site's package index, for micropip
 * @property {string | null} snapshot  the key of the interpreter's memory snapshot in Cache
 *   Storage (see snapshot.js); null: start normally, make none
 * @property {(url: URL) => Promise<string>} fetchText  fetches a runtime file, failing on HTTP errors
 * @property {(text: string) => void} progress
 * @property {(kind: string, text: string, cell?: string) => void} output  output of a cell (by
 *   default the running one)
 * @property {() => void} flush
 * @property {(prompt: string) => string} readLine  input(): blocks until the reader answers;
 *   returns "=" + the answer, "!" if the reader pressed Stop, "?" + why no answer can come
 * @property {((seconds: number) => boolean) | null} wait  time.sleep that Stop ends: true if it
 *   did (the runner then raises KeyboardInterrupt); null when the page cannot interrupt Python
 * @property {() => boolean} takeInterrupt  whether Stop was pressed (then the interrupt is taken:
 *   the caller raises KeyboardInterrupt); for interpreters that cannot watch the buffer themselves
 */

/**
 * What this adapter uses of Pyodide. (Pyodide's own declarations need Node's and the DOM's types,
 * which a worker's program has not.)
 * @typedef {{write(bytes: Uint8Array): number}} Writer
 * @typedef {object} Pyodide
 * @property {FileSystem} FS
 * @property {(writer: Writer) => void} setStdout
 * @property {(writer: Writer) => void} setStderr
 * @property {(buffer: Int32Array) => void} setInterruptBuffer
 * @property {(code: string) => unknown} runPython
 * @property {() => Uint8Array} makeMemorySnapshot  (private API: needs `_makeSnapshot`)
 * @property {(name: string) => CellRunner} pyimport  (it imports only the cell runner)
 * @property {(names: string[], options: {messageCallback: (message: string) => void,
 *   errorCallback: (message: string) => void}) => Promise<unknown>} loadPackage
 * @typedef {{loadPyodide(options: {indexURL: string, lockFileURL?: string,
 *   packageBaseUrl: string, _makeSnapshot?: boolean, _loadSnapshot?: Uint8Array}):
 *   Promise<Pyodide>}} PyodideModule
 */

// Python files the runtime puts on the interpreter's path: the cell runner, the public `pypage`
// module (display and friends) and the matplotlib backend.
const PYTHON_FILES = ["_pypage_cell.py", "pypage.py", "pypage_matplotlib.py"];
// A restore takes about a second; one that has not finished in this time is treated as failed.
const RESTORE_TIMEOUT_MS = 20000;
// Snapshots hold the heap only: files are gone, and every restore would start with the same random
// numbers. (The hash seed stays the snapshot's: it cannot change once Python runs.)
const AFTER_RESTORE = `
import importlib, sys
importlib.invalidate_caches()
if "random" in sys.modules:
    sys.modules["random"].seed()
`;

/** @param {LoadOptions} options @returns {Promise<Interpreter>} */
export async function load(options) {
  const { url, entry, interrupt, lock, index, fetchText, progress, output, flush, readLine, wait } =
    options;
  progress("Downloading Python…");
  const sources = Promise.all(
    PYTHON_FILES.map((name) => fetchText(new URL(`../python/${name}`, import.meta.url))),
  );
  const { loadPyodide } = /** @type {PyodideModule} */ (await entry);
  // Packages come from the site, never from Pyodide's CDN default: the site's own lock lists them,
  // and its folder is where their files are.
  const packages = lock
    ? { lockFileURL: lock, packageBaseUrl: new URL(".", lock).href }
    : { packageBaseUrl: url };
  const start = (/** @type {object} */ more) =>
    untilWasmFails(loadPyodide({ indexURL: url, ...packages, ...more }));
  const key = options.snapshot;
  /** @type {Interpreter["snapshot"]} */
  let snapshot = key ? "unavailable" : "off";
  /** @type {Pyodide | null} */
  let pyodide = null;
  if (key) {
    try {
      const bytes = await snapshots.stored(key);
      if (bytes === "failed") snapshot = "unavailable";
      else if (bytes) {
        pyodide = await beforeTimeout(start({ _loadSnapshot: bytes }), RESTORE_TIMEOUT_MS);
        snapshot = "restored";
      } else snapshot = "made";
    } catch (error) {
      // Stale, corrupt, cut short, refused: the reader still gets Python, a little later.
      console.warn(`pypage: starting Python without its stored snapshot, which failed: ${errorText(error)}`);
      await snapshots.forget(key).catch(() => {});
      snapshot = "unavailable";
    }
  }
  // A snapshot is made before anything holds JavaScript objects or loads packages (either makes
  // it fail): right after pypage's own modules are imported, before any callback is installed.
  pyodide ??= await start(snapshot === "made" ? { _makeSnapshot: true } : {});
  pyodide.FS.mkdirTree("/pypage");
  (await sources).forEach((source, i) => pyodide.FS.writeFile(`/pypage/${PYTHON_FILES[i]}`, source));
  if (snapshot === "restored") {
    pyodide.runPython(AFTER_RESTORE);
  } else {
    pyodide.runPython("import sys; sys.path.insert(0, '/pypage'); import _pypage_cell, pypage");
  }
  /** @type {Uint8Array | null} */
  let made = null;
  if (snapshot === "made") {
    try {
      made = pyodide.makeMemorySnapshot();
      if (!snapshots.restorable(made)) made = null;
    } catch (error) {
      console.warn(`pypage: could not make a snapshot of Python: ${errorText(error)}`);
    }
    if (!made) snapshot = "unavailable";
  }
  progress("Starting Python…");
  // Writes that bypass sys.stdout (C extensions, os.write) still belong to the running cell.
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  for (const kind of /** @type {const} */ (["stdout", "stderr"])) {
    const write = (/** @type {Uint8Array} */ bytes) => {
      output(kind, decoders[kind].decode(bytes, { stream: true }));
      return bytes.length;
    };
    if (kind === "stdout") pyodide.setStdout({ write });
    else pyodide.setStderr({ write });
  }
  if (interrupt) pyodide.setInterruptBuffer(interrupt); // Stop → KeyboardInterrupt
  const cells = pyodide.pyimport("_pypage_cell");
  // No wait on pages that cannot interrupt Python (Pyodide turns a JS null into JsNull, not None).
  cells.install(output, flush, readLine, ...(wait ? [wait] : []));
  return {
    fs: pyodide.FS,
    snapshot,
    keepSnapshot:
      made && key
        ? async () => {
            const bytes = /** @type {Uint8Array} */ (made);
            made = null; // 30 MB: kept once, then let go
            await snapshots.keep(key, bytes);
          }
        : null,
    async run({ id, code }) {
      return await cells.run(code, id);
    },
    newPage() {
      cells.new_page();
    },
    async install(names) {
      /** @type {string[]} */
      const problems = [];
      await pyodide.loadPackage(names, {
        messageCallback: () => {},
        errorCallback: (message) => problems.push(message),
      });
      // micropip installs what the site bundles, by name, and asks no public index for the rest.
      if (index && names.includes("micropip")) {
        pyodide.runPython(`import micropip\nmicropip.set_index_urls([${JSON.stringify(index)}])`);
      }
      return problems;
    },
  };
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function beforeTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer after ${ms / 1000} s`)), ms)),
  ]);
}

function errorText(/** @type {unknown} */ error) {
  return String(/** @type {{message?: unknown} | null | undefined} */ (error)?.message ?? error).split("\n")[0];
}

/**
 * Pyodide 314 catches a failed WebAssembly instantiation (a 404, a wrong MIME type), only warns on
 * the console, and never settles: the page would wait forever. Its warning is the one signal, so
 * it is turned into a rejection here.
 * @template T
 * @param {Promise<T>} loading
 * @returns {Promise<T>}
 */
async function untilWasmFails(loading) {
  const warn = console.warn;
  try {
    return await Promise.race([
      loading,
      new Promise((_, reject) => {
        let failed = false;
        console.warn = (...args) => {
          warn(...args);
          if (args[0] === "wasm instantiation failed!") failed = true;
          else if (failed) reject(new Error(`Python's WebAssembly could not start (${args[0]?.message ?? args[0]})`));
        };
      }),
    ]);
  } finally {
    console.warn = warn;
  }
}
