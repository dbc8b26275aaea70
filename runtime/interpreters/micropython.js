// MicroPython (about 0.5 MB, starts in a tenth of a second) behind the same adapter interface as
// Pyodide. See pyodide.js for the Interpreter and LoadOptions types.

const PYTHON_FILES = ["_pypage_cell_micropython.py", "pypage.py"];
// The default 1 MB heap is too small for course material that builds lists of thousands of items.
const HEAP_BYTES = 16 * 1024 * 1024;

/** @param {import("./pyodide.js").LoadOptions} options */
export async function load({ url, entry, fetchText, progress, output, flush, readLine }) {
  progress("Downloading Python…");
  const sources = Promise.all(
    PYTHON_FILES.map((name) => fetchText(new URL(`../python/${name}`, import.meta.url))),
  );
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
  (await sources).forEach((source, i) => mp.FS.writeFile(`/${PYTHON_FILES[i]}`, source));
  mp.runPython("import sys\nsys.path.insert(0, '/')");
  const cells = mp.pyimport("_pypage_cell_micropython");
  cells.install(output, flush, readLine);
  return {
    fs: mp.FS,
    async install() {
      return ["MicroPython pages cannot install packages"];
    },
    async run({ id, code }) {
      return Boolean(cells.run(code, id));
    },
  };
}
