// MicroPython (about 0.5 MB, starts in a tenth of a second) behind the same adapter interface as
// Pyodide. See pyodide.js for the Interpreter and LoadOptions types.

/**
 * What this adapter uses of MicroPython (its package declares no types).
 * @typedef {object} MicroPython
 * @property {import("./pyodide.js").FileSystem} FS
 * @property {(code: string) => unknown} runPython
 * @property {(name: string) => import("./pyodide.js").CellRunner} pyimport  (only the cell runner)
 * @property {{_mp_sched_keyboard_interrupt(): void}} _module  the Emscripten module
 * @typedef {{loadMicroPython(options: {url: string, heapsize: number, linebuffer: boolean,
 *   stdout: (bytes: Uint8Array) => void, stderr: (bytes: Uint8Array) => void}):
 *   Promise<MicroPython>}} MicroPythonModule
 */

const PYTHON_FILES = ["_pypage_cell_micropython.py", "pypage.py"];
// The default 1 MB heap is too small for course material that builds lists of thousands of items.
const HEAP_BYTES = 16 * 1024 * 1024;

/**
 * @param {import("./pyodide.js").LoadOptions} options
 * @returns {Promise<import("./pyodide.js").Interpreter>}
 */
export async function load(options) {
  const { url, entry, fetchText, progress, output, flush, readLine, wait, takeInterrupt } = options;
  progress("Downloading Python…");
  const sources = Promise.all(
    PYTHON_FILES.map((name) => fetchText(new URL(`../python/${name}`, import.meta.url))),
  );
  const { loadMicroPython } = /** @type {MicroPythonModule} */ (await entry);
  // Stop. MicroPython cannot poll an interrupt buffer, and this worker is busy while a cell runs,
  // so the buffer is looked at when the cell calls out: each write to stdout/stderr (here), each
  // time.sleep (the runner sleeps with `wait`) and each input() (answered "stopped"). Clearing the
  // buffer tells the page the interrupt was taken, as Pyodide does; a loop that never calls out
  // never looks, and the page restarts Python instead.
  let running = false;
  const checkInterrupt = () => {
    // Raised at the cell's next jump or call (the entry point MicroPython's REPL uses for ^C).
    if (running && takeInterrupt()) mp._module._mp_sched_keyboard_interrupt();
  };
  // linebuffer: false delivers bytes as they are written, so output streams and stays faithful.
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const stream = (/** @type {"stdout" | "stderr"} */ kind) => (/** @type {Uint8Array} */ bytes) => {
    output(kind, decoders[kind].decode(bytes, { stream: true }));
    checkInterrupt();
  };
  const mp = await loadMicroPython({
    url: new URL("micropython.wasm", url).href,
    heapsize: HEAP_BYTES,
    linebuffer: false,
    stdout: stream("stdout"),
    stderr: stream("stderr"),
  });
  progress("Starting Python…");
  (await sources).forEach((source, i) => mp.FS.writeFile(`/${PYTHON_FILES[i]}`, source));
  mp.runPython("import sys\nsys.path.insert(0, '/')");
  const cells = mp.pyimport("_pypage_cell_micropython");
  // No wait on pages that cannot interrupt Python: the runner keeps time.sleep as it is.
  cells.install(output, flush, readLine, ...(wait ? [wait] : []));
  return {
    fs: mp.FS,
    snapshot: "off", // MicroPython starts in a tenth of a second without one
    keepSnapshot: null,
    async install() {
      return ["MicroPython pages cannot install packages"];
    },
    newPage() {
      cells.new_page();
    },
    async run({ id, code }) {
      running = true;
      try {
        return Boolean(cells.run(code, id));
      } catch (error) {
        // An interrupt that came as the cell ended is raised in the runner, outside the cell.
        // MicroPython's PythonError names the Python exception's type.
        const type = /** @type {{type?: string} | null | undefined} */ (error)?.type;
        if (type !== "KeyboardInterrupt") throw error;
        output("error", "KeyboardInterrupt\n", id);
        return false;
      } finally {
        running = false;
      }
    },
  };
}
