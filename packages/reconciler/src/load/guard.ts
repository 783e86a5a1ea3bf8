import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

/** How long one definition or config file may take to load (`TRIPWIRE_LOAD_TIMEOUT_MS` overrides it). */
export const DEFAULT_LOAD_TIMEOUT_MS = 30_000;

export function loadTimeoutMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const n = Number(env.TRIPWIRE_LOAD_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_LOAD_TIMEOUT_MS;
}

/**
 * The watchdog for a synchronous endless loop, which no timer on the loading thread can interrupt: a worker thread
 * that sleeps on a shared counter while a file loads. When the load has not settled by its deadline (a grace period
 * after the asynchronous timeout, which reports a hung top-level await the normal way), it writes the diagnostic to
 * stderr itself and kills the process (exit 137: nothing on the stuck thread can run any more). Started once per
 * process, on the first load, and told to stop at exit.
 */
const WATCHDOG_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const state = new Int32Array(workerData.shared);
const port = workerData.port;
let armed = { message: "", ms: 0 };
for (;;) {
  const generation = Atomics.load(state, 0);
  if (generation < 0) break;
  if (generation % 2 === 0) { Atomics.wait(state, 0, generation); continue; }
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) armed = m.message;
  if (Atomics.wait(state, 0, generation, armed.ms) === "timed-out" && Atomics.load(state, 0) === generation) {
    writeSync(2, armed.message);
    process.kill(process.pid, "SIGKILL");
  }
}
`;

/**
 * How much longer than the load timeout the watchdog waits before it stops the process: long enough that a busy
 * machine's late timer still reports a hung await the normal way (and a slow first transpile is not taken for a loop).
 */
export const WATCHDOG_GRACE_MS = 5_000;

interface Watchdog {
  readonly state: Int32Array;
  readonly port: MessagePort;
}
let watchdog: Watchdog | undefined;

function startWatchdog(): Watchdog {
  if (watchdog) return watchdog;
  const state = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { shared: state.buffer, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  process.once("exit", () => {
    Atomics.store(state, 0, -1);
    Atomics.notify(state, 0);
  });
  watchdog = { state, port: port1 };
  return watchdog;
}

/** A definition file called `process.exit` while it was loaded. */
export class ExitDuringLoad extends Error {
  override readonly name = "ExitDuringLoad";
  constructor(readonly exitCode: unknown) {
    super(`called process.exit(${exitCode === undefined ? "" : String(exitCode)}) while it was loaded`);
  }
}

/** Loading a file did not settle within the time allowed. */
export class LoadTimeout extends Error {
  override readonly name = "LoadTimeout";
  constructor(readonly ms: number) {
    super(`did not finish loading within ${ms / 1000} s`);
  }
}

/** The loads in progress in this process, and the `process.exit` they replaced. */
const guard: { loads: number; exit: typeof process.exit | undefined } = { loads: 0, exit: undefined };

/**
 * Runs `load` with `process.exit` turned into an error (a definition that exits would otherwise end the CLI with no
 * word, and exit 0), and with a deadline: a top-level await that never settles leaves nothing for Node to wait on,
 * and the process would just stop. A synchronous endless loop cannot be stopped from the same thread: the watchdog
 * above writes `stuck(seconds)` (the diagnostic, as text) and stops the process.
 */
export async function guardedLoad<T>(load: () => Promise<T>, timeoutMs: number, stuck: (seconds: number) => string): Promise<T> {
  const dog = startWatchdog();
  // process.exit is one per process: loads that overlap (the API called concurrently) share one guard, put in place
  // by the first and removed by the last, so none is left unguarded and the original always comes back. The watchdog
  // is armed the same way, with the first load's file and deadline (a thread stuck in a loop runs no other load).
  if (guard.loads++ === 0) {
    dog.port.postMessage({ message: stuck(timeoutMs / 1000), ms: timeoutMs + WATCHDOG_GRACE_MS });
    Atomics.add(dog.state, 0, 1); // odd: a load is running
    Atomics.notify(dog.state, 0);
    guard.exit = process.exit;
    process.exit = ((code?: unknown) => {
      throw new ExitDuringLoad(code);
    }) as typeof process.exit;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      load(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LoadTimeout(timeoutMs)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (--guard.loads === 0) {
      if (guard.exit) process.exit = guard.exit;
      Atomics.add(dog.state, 0, 1); // even: every load settled
      Atomics.notify(dog.state, 0);
    }
  }
}

/** The names of a module's exports that are Promises (or other thenables): automations cannot be awaited. */
export function promiseExports(moduleExports: Record<string, unknown>): string[] {
  return Object.keys(moduleExports).filter((name) => {
    const v = moduleExports[name];
    return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
  });
}
