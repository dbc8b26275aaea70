// Pyodide (full CPython) behind the adapter interface the worker expects.

/**
 * @typedef {object} Interpreter
 * @property {(cell: {id: string, code: string}) => Promise<boolean>} run  resolves false if the
 *   cell raised (its traceback was written as "error" output)
 *
 * @typedef {object} LoadOptions
 * @property {string} url  absolute URL of the folder holding the interpreter's files
 * @property {string} runner  source of _pypage_cell.py
 * @property {(text: string) => void} progress
 * @property {(kind: string, text: string) => void} output
 * @property {() => void} flush
 */

/** @param {LoadOptions} options @returns {Promise<Interpreter>} */
export async function load({ url, runner, progress, output, flush }) {
  progress("Downloading Python…");
  const { loadPyodide } = await import(new URL("pyodide.mjs", url).href);
  const pyodide = await loadPyodide({ indexURL: url });
  progress("Starting Python…");
  // Writes that bypass sys.stdout (C extensions, os.write) still belong to the running cell.
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  for (const kind of ["stdout", "stderr"]) {
    const write = (bytes) => {
      output(kind, decoders[kind].decode(bytes, { stream: true }));
      return bytes.length;
    };
    if (kind === "stdout") pyodide.setStdout({ write });
    else pyodide.setStderr({ write });
  }
  pyodide.FS.mkdirTree("/pypage");
  pyodide.FS.writeFile("/pypage/_pypage_cell.py", runner);
  pyodide.runPython("import sys; sys.path.insert(0, '/pypage')");
  const cells = pyodide.pyimport("_pypage_cell");
  cells.install_sleep_flush(flush);
  return {
    async run({ id, code }) {
      return await cells.run(code, id, output, flush);
    },
  };
}
