// input() in the browser: Python waits in the worker, synchronously, while the reader types the
// answer into a field in the page. Two ways to carry the answer across:
//
// - SharedArrayBuffer + Atomics, when the page is cross-origin isolated (pypage serve, and static
//   hosts once the service worker controls the page): the worker sleeps in Atomics.wait on a
//   buffer the page writes the answer into.
// - Otherwise, through the site's service worker: the worker makes a synchronous request that the
//   service worker holds until the page posts it the answer.
//
// Replies, as Python's input() reads them: "=" + the answer, "!" (the reader pressed Stop), or
// "?" + why no answer can come.

const WAITING = 0;
const ANSWERED = 1;
const STOPPED = 2;
const HEADER_BYTES = 8; // [state, answer length] as two Int32
const ANSWER_BYTES = 64 * 1024;
/** The URL the service worker answers, relative to the site's root. */
export const ANSWER_PATH = "_pypage/answer";
/** Status of a held request the service worker let go before an answer came: ask again.
 * (runtime/sw/pypage-sw.js holds the requests; a classic script, it cannot import this module.) */
const ASK_AGAIN = 204;

export const NO_CHANNEL =
  "?input() cannot reach this page yet: reload the page once and run the cell again " +
  "(the site's service worker makes input() work from the second visit on)";

/** The page's half of a shared-memory channel. */
export function answerBuffer() {
  return new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES);
}

/**
 * Worker side: ask the page (`ask(token)` posts the question) and block until the reply.
 * @param {{buffer: SharedArrayBuffer | null, url: string | null}} channel
 * @param {(token: string | null) => void} ask
 */
export function readAnswer({ buffer, url }, ask) {
  if (buffer) {
    const state = new Int32Array(buffer, 0, 2);
    Atomics.store(state, 0, WAITING);
    ask(null);
    Atomics.wait(state, 0, WAITING);
    if (Atomics.load(state, 0) === STOPPED) return "!";
    // TextDecoder refuses views of shared memory: copy first.
    const bytes = new Uint8Array(buffer, HEADER_BYTES, Atomics.load(state, 1)).slice();
    return `=${new TextDecoder().decode(bytes)}`;
  }
  if (url) {
    const token = crypto.randomUUID();
    ask(token);
    // A service worker stopped by the browser mid-question fails the request: ask again, a few
    // times, before giving up.
    for (let failures = 0; failures < 3; ) {
      const request = new XMLHttpRequest();
      request.open("GET", `${url}?token=${encodeURIComponent(token)}`, false);
      try {
        request.send();
      } catch {
        failures += 1;
        continue;
      }
      if (request.status === 200 && /^[=!]/.test(request.responseText)) return request.responseText;
      if (request.status !== ASK_AGAIN) return NO_CHANNEL; // the request did not reach the worker
    }
    return NO_CHANNEL;
  }
  return NO_CHANNEL;
}

/**
 * Page side: hand the reply to the waiting worker.
 * @param {{buffer: SharedArrayBuffer | null, url: string | null}} channel
 * @param {string | null} token  from the worker's question (service-worker channel)
 * @param {string | null} answer  the reader's text, or null when the reader pressed Stop
 */
export function giveAnswer({ buffer }, token, answer) {
  if (buffer) {
    const state = new Int32Array(buffer, 0, 2);
    if (answer !== null) {
      // encodeInto writes whole characters only; a longer answer is cut, never mangled.
      const bytes = new Uint8Array(ANSWER_BYTES);
      const { written } = new TextEncoder().encodeInto(answer, bytes);
      new Uint8Array(buffer, HEADER_BYTES, written).set(bytes.subarray(0, written));
      Atomics.store(state, 1, written);
    }
    Atomics.store(state, 0, answer === null ? STOPPED : ANSWERED);
    Atomics.notify(state, 0);
    return;
  }
  const reply = answer === null ? "!" : `=${answer}`;
  const message = { type: "answer", token, reply };
  const controller = navigator.serviceWorker?.controller;
  if (controller) controller.postMessage(message);
  else navigator.serviceWorker?.ready.then((registration) => registration.active?.postMessage(message));
}
