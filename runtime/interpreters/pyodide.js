// Pyodide (full CPython) behind the adapter interface the worker expects.

/**
 * @typedef {object} Interpreter
 * @property {(cell: {id: string, code: string}) => Promise<boolean>} run  resolves false if the
 *   cell raised (its traceback was written as "error" output)
 * @property {(names: string[]) => Promise<string[]>} install  loads packages from the site's lock;
 *   resolves with the problems met (none when all went well)
 * @property {FileSystem} fs  the interpreter's (Emscripten) file system
 *
 * @typedef {object} FileSystem  what the worker uses of Emscripten's file system
 * @property {() => string} cwd
 * @property {(path: string) => void} mkdirTree
 * @property {(path: string, data: string | Uint8Array) => void} writeFile
 *
 * @typedef {object} CellRunner  the Python module that runs cells (python/_pypage_cell*.py)
 * @property {(...callbacks: Function[]) => void} install  output, flush, readLine and wait
 * @property {(code: string, id: string) => boolean | Promise<boolean>} run
 *
 * @typedef {object} LoadOptions
 * @property {string} url  absolute URL of the folder holding the interpreter's files
 * @property {Promise<unknown>} entry  the interpreter's own ES module, already being imported
 *   (each adapter knows which it is)
 * @property {Int32Array | null} interrupt  set to 2 by the page to interrupt the running code
 * @property {string | null} lock  absolute URL of the site's pyodide-lock.json (null: no packages)
 * @property {string | null} index  absolute URL of the site's package index, for micropip
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
 * @property {(name: string) => CellRunner} pyimport  (it imports only the cell runner)
 * @property {(names: string[], options: {messageCallback: (message: string) => void,
 *   errorCallback: (message: string) => void}) => Promise<unknown>} loadPackage
 * @typedef {{loadPyodide(options: {indexURL: string, lockFileURL?: string,
 *   packageBaseUrl: string}): Promise<Pyodide>}} PyodideModule
 */

// Python files the runtime puts on the interpreter's path: the cell runner, the public `pypage`
// module (display and friends) and the matplotlib backend.
const PYTHON_FILES = ["_pypage_cell.py", "pypage.py", "pypage_matplotlib.py"];

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
  const pyodide = await untilWasmFails(loadPyodide({ indexURL: url, ...packages }));
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
  pyodide.FS.mkdirTree("/pypage");
  (await sources).forEach((source, i) => pyodide.FS.writeFile(`/pypage/${PYTHON_FILES[i]}`, source));
  pyodide.runPython("import sys; sys.path.insert(0, '/pypage')");
  const cells = pyodide.pyimport("_pypage_cell");
  // No wait on pages that cannot interrupt Python (Pyodide turns a JS null into JsNull, not None).
  cells.install(output, flush, readLine, ...(wait ? [wait] : []));
  return {
    fs: pyodide.FS,
    async run({ id, code }) {
      return await cells.run(code, id);
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
