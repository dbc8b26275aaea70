// What crosses between the runtime's two sides, for the type checker only (no page loads this
// file): the page's settings and the messages between the page (session.js) and its interpreter's
// worker (worker.js, whose header says what each message means). The page's program and the
// workers' see different globals, so neither side can declare these for the other.

/** The page's #pypage-config, written by site/render.py (with site/engine.py's page_settings).
 * Its URLs are relative to the page. */
export interface PageConfig {
  interpreter: string;
  interpreterURL: string;
  interpreterModuleURL: string;
  adapterURL: string;
  /** the page's source file, relative to the site */
  page: string;
  layout: "page" | "slides";
  /** seconds a cell may run unless it sets its own limit (pypage.toml's timeout) */
  timeout?: number;
  /** the site's packages: its lock, its index and, by cell id, the packages each cell needs */
  packages?: { lock: string; index: string; cells: Record<string, string[]> };
  /** data files: where cells find each, and the URL of its content */
  files?: [target: string, url: string][];
  serviceWorker?: { url: string; version: string };
  /** Pyodide pages: the key of the interpreter's memory snapshot in Cache Storage (a URL under
   * the runtime's folder that names its build and Pyodide's); absent: snapshots are off */
  snapshot?: string;
}

/** How input() reaches the page: shared memory, or the service worker's URL (see answers.js). */
export interface AnswerChannel {
  buffer: SharedArrayBuffer | null;
  url: string | null;
}

export type ToWorker =
  | { type: "init"; config: PageConfig; base: string; interrupt: SharedArrayBuffer | null }
  | ({ type: "answers" } & AnswerChannel)
  | { type: "run"; id: string; code: string; packages: string[] }
  | { type: "page"; files: [target: string, url: string][]; base: string };

export type FromWorker =
  | { type: "progress"; text: string }
  | { type: "ready" }
  | { type: "fatal"; message: string }
  | { type: "installing"; id: string; names: string[] }
  | { type: "started"; id: string }
  | { type: "output"; id: string; chunks: [kind: string, text: string][] }
  | { type: "done"; id: string; ok: boolean }
  | { type: "input"; id: string; prompt: string; token: string | null }
  | { type: "fetched"; urls: string[] }
  | { type: "snapshot"; state: "restored" | "made" | "kept" | "unavailable" | "off" };
