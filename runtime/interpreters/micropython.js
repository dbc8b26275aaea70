// MicroPython (about 0.5 MB, starts in a tenth of a second) behind the same adapter interface as
// Pyodide. See pyodide.js for the Interpreter and LoadOptions types.

const RUNNER = new URL("../python/_pypage_cell_micropython.py", import.meta.url);
// The default 1 MB heap is too small for course material that builds lists of thousands of items.
const HEAP_BYTES = 16 * 1024 * 1024;

/** @param {import("./pyodide.js").LoadOptions} options */
export async function load({ url, entry, fetchText, progress, output, flush }) {
  progress("Downloading Python…");
  const runner = fetchText(RUNNER);
  const { loadMicroPython } = await entry;
  // linebuffer: false delivers bytes as they are written, so output streams and stays faithful.
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const stream = (kind) => (bytes) => output(kind, decoders[kind].decode(bytes, { stream: true }));
  const mp = await loadMicroPython({
    url: new URL("micropython.wasm", url).href,
    heapsize: HEAP_BYTES,
    linebuffer: false,
    stdout: stream("stdout"),
    stderr: stream("stderr"),
  });
  progress("Starting Python…");
  mp.FS.writeFile("/_pypage_cell_micropython.py", await runner);
  mp.runPython("import sys\nsys.path.insert(0, '/')");
  const cells = mp.pyimport("_pypage_cell_micropython");
  cells.install_sleep_flush(flush);
  return {
    async run({ id, code }) {
      return Boolean(cells.run(code, id, output, flush));
    },
  };
}
