/**
 * `evaluate(automations, events)` for tests, and the checks behind the `toFire` matcher and `tripwire test`:
 * which firings match an expectation, and a failure message that says what fired instead.
 */
import { isAutomation, scopeKey, toSpec, TripwireError, type AnyAutomation, type AutomationSpec } from "@tripwire/sdk";
import { createEngine, type EngineAutomation, type EngineOptions, type Firing } from "../engine/index.js";
import { parseEvent, type TripwireEvent } from "../events/index.js";
import { summarizeFiring } from "../actions/slack.js";
import { parseTimestamp } from "../time.js";
import { isArtifactStream, isRunStream, type ArtifactStream, type RunStream } from "./streams.js";

/** Test input: builders, single events, or lists of either. */
export type EventInput = RunStream | ArtifactStream | TripwireEvent;

/** Automations as a test has them: SDK builder values, specs, engine automations, or a module's exports. */
export type AutomationsInput = readonly (AnyAutomation | AutomationSpec | EngineAutomation)[] | Readonly<Record<string, unknown>>;

const EVALUATION = Symbol.for("tripwire/evaluation");

/** What fired, in event order, for the automations evaluated. */
export interface Evaluation {
  readonly [EVALUATION]: true;
  readonly firings: readonly Firing[];
  /** The automations evaluated: engine id, name and scope key (`project:acme/llm`). */
  readonly automations: readonly { readonly id: string; readonly name: string; readonly scope: string }[];
  /** Automations the evaluator cannot decide (they never fire), and why. */
  readonly unsupported: readonly { readonly automationId: string; readonly reason: string }[];
  /** The events evaluated, in time order. */
  readonly events: readonly TripwireEvent[];
}

function automationsOf(input: AutomationsInput): EngineAutomation[] {
  const list: unknown[] = Array.isArray(input) ? [...input] : Object.values(input as Record<string, unknown>).filter((v) => isAutomation(v));
  return list.map((a, i): EngineAutomation => {
    if (isAutomation(a)) {
      if ((a as { stage?: string }).stage !== "complete") throw new TripwireError("TW2022", `automation "${(a as { name: string }).name}" is incomplete: it needs .in(), .on() and .do()`);
      const spec = toSpec(a);
      return { id: `${scopeKey(spec.scope)}/${spec.name}`, spec };
    }
    const x = a as Partial<EngineAutomation & AutomationSpec>;
    if (x && typeof x.id === "string" && x.spec) return x as EngineAutomation;
    if (x && typeof x.name === "string" && x.scope && x.event) return { id: `${scopeKey(x.scope)}/${x.name}`, spec: x as AutomationSpec };
    throw new TripwireError("TW2022", `automations[${i}] is not an automation, a spec or { id, spec }`);
  });
}

/** The one project the automations' run events are scoped to, if there is exactly one. */
function defaultProject(automations: readonly EngineAutomation[]): string | undefined {
  const projects = new Set<string>();
  for (const { spec } of automations) {
    if (spec.event.type === "raw" || spec.event.type.startsWith("runMetric") || spec.event.type === "runState") {
      if (spec.scope.type === "project") projects.add(`${spec.scope.entity}/${spec.scope.project}`);
    }
  }
  return projects.size === 1 ? [...projects][0] : undefined;
}

/**
 * Runs the automations over the events (merged in time order; equal times keep their order) and returns every
 * firing. A `runStream` without a project is placed in the automations' project when they watch exactly one.
 * @example
 * const result = evaluate([lossSpike], runStream("r1", { name: "sweep-1" }).metric("loss", "0.5 0.7 0.9x3"));
 * result.firings.map((f) => f.step) // [4]
 */
export function evaluate(automations: AutomationsInput, events: EventInput | readonly EventInput[], options?: EngineOptions): Evaluation {
  const list = automationsOf(automations);
  const project = defaultProject(list);
  const inputs: readonly EventInput[] = Array.isArray(events) ? events : [events as EventInput];
  const all: TripwireEvent[] = [];
  for (const [i, input] of inputs.entries()) {
    if (isRunStream(input)) {
      if (input.project === undefined && project === undefined) {
        throw new TripwireError("TW2022", `runStream("${input.id}") names no project, and the automations do not watch exactly one: pass runStream("${input.id}", { project: "entity/project" })`);
      }
      all.push(...input.events(project === undefined ? {} : { project }));
    } else if (isArtifactStream(input)) all.push(...input.events());
    else {
      const r = parseEvent(input);
      if (!r.ok) throw new TripwireError("TW2022", `events[${i}] is not a valid event: ${r.issues.map((x) => `${x.path.join(".") || "(event)"}: ${x.message}`).join("; ")}`);
      all.push(input as TripwireEvent);
    }
  }
  const times = all.map((e) => parseTimestamp(e.timestamp));
  const order = all.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const sorted = order.map((i) => all[i] as TripwireEvent);
  const engine = createEngine(list, options);
  const firings: Firing[] = [];
  for (const e of sorted) firings.push(...engine.push(e));
  return Object.freeze({
    [EVALUATION]: true as const,
    firings: Object.freeze(firings),
    automations: Object.freeze(list.map((a) => Object.freeze({ id: a.id, name: a.spec.name, scope: scopeKey(a.spec.scope) }))),
    unsupported: Object.freeze([...engine.unsupported]),
    events: Object.freeze(sorted),
  });
}

/**
 * Whether a value is the result of `evaluate`.
 * @example isEvaluation(evaluate([lossSpike], [])) // true
 */
export function isEvaluation(value: unknown): value is Evaluation {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[EVALUATION] === true;
}

/** Which firings an expectation is about. Every field given must match. */
export interface FiringQuery {
  /** The run: its ID or display name. */
  readonly run?: string | undefined;
  /** The step the firing happened at (run metric automations). */
  readonly atStep?: number | undefined;
  /** The firing's time: an ISO 8601 date-time, or a prefix of the UTC form (`"2026-01-01T00:07"`). */
  readonly at?: string | undefined;
  /** For artifact automations: the collection, version, alias or tag. */
  readonly collection?: string | undefined;
  readonly version?: number | undefined;
  readonly alias?: string | undefined;
  readonly tag?: string | undefined;
  /** Exactly this many matching firings (default: at least one). */
  readonly times?: number | undefined;
}

/** The outcome of one expectation. */
export interface FiringCheck {
  /** Whether the automation fired as queried (`times`: exactly that often). */
  readonly fired: boolean;
  readonly matches: readonly Firing[];
  /** The message when the expectation fails: `fire` for "must fire", `notFire` for "must not fire". */
  readonly message: { readonly fire: string; readonly notFire: string };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * One firing on one line: `loss-spike on run sweep-1 (r1) at step 4, 2026-01-01T00:04:00.000Z: mean(loss, 3) = 0.9 (mean(loss, 3) > 0.6)`.
 * @example describeFiring(result.firings[0])
 */
export function describeFiring(f: Firing): string {
  const where = f.run ? `on run ${f.run.name === f.run.id ? f.run.id : `${f.run.name} (${f.run.id})`}${f.step !== undefined ? ` at step ${f.step}` : ""}` : "";
  return `${f.automation}${where ? ` ${where}` : ""}, ${f.at}: ${summarizeFiring(f)}`;
}

function describeQuery(automation: string, q: FiringQuery): string {
  const parts = [`"${automation}"`];
  if (q.run !== undefined) parts.push(`on run ${q.run}`);
  if (q.atStep !== undefined) parts.push(`at step ${q.atStep}`);
  if (q.at !== undefined) parts.push(`at ${q.at}`);
  for (const k of ["collection", "version", "alias", "tag"] as const) if (q[k] !== undefined) parts.push(`${k} ${String(q[k])}`);
  return parts.join(" ");
}

function matchesAt(firingAt: string, at: string): boolean {
  const t = parseTimestamp(at);
  if (Number.isFinite(t) && /(Z|[+-]\d\d:\d\d)$/.test(at)) return parseTimestamp(firingAt) === t;
  return new Date(parseTimestamp(firingAt)).toISOString().startsWith(at);
}

/**
 * Checks one expectation against an evaluation. `automation` is a name (or an id such as
 * `project:acme/llm/loss-spike`); a name no evaluated automation has throws, so a typo never passes as
 * "did not fire".
 * @example
 * const c = checkFiring(result, "loss-spike", { run: "r1", atStep: 7 });
 * if (!c.fired) throw new Error(c.message.fire);
 */
export function checkFiring(result: Evaluation, automation: string, query: FiringQuery = {}): FiringCheck {
  const known = result.automations.filter((a) => a.name === automation || a.id === automation);
  if (known.length === 0) {
    throw new TripwireError("TW2023", `no automation named "${automation}" was evaluated (there are: ${result.automations.map((a) => a.name).join(", ") || "none"})`);
  }
  const ids = new Set(known.map((a) => a.id));
  const unsupported = result.unsupported.filter((u) => ids.has(u.automationId));
  const mine = result.firings.filter((f) => ids.has(f.automationId));
  const matches = mine.filter((f) => {
    if (query.run !== undefined && f.run?.id !== query.run && f.run?.name !== query.run) return false;
    if (query.atStep !== undefined && f.step !== query.atStep) return false;
    if (query.at !== undefined && !matchesAt(f.at, query.at)) return false;
    const a = f.artifact;
    if (query.collection !== undefined && a?.collection !== query.collection) return false;
    if (query.version !== undefined && a?.version !== query.version) return false;
    if (query.alias !== undefined && a?.alias !== query.alias && !(f.explanation.kind === "artifact" && f.explanation.field === "alias" && f.explanation.values.includes(query.alias))) return false;
    if (query.tag !== undefined && a?.tag !== query.tag && !(f.explanation.kind === "artifact" && f.explanation.field === "tag" && f.explanation.values.includes(query.tag))) return false;
    return true;
  });
  const fired = query.times === undefined ? matches.length > 0 : matches.length === query.times;
  const what = describeQuery(automation, query);
  const list = (fs: readonly Firing[]) => fs.slice(0, 10).map((f) => `\n  - ${describeFiring(f)}`).join("") + (fs.length > 10 ? `\n  … and ${fs.length - 10} more` : "");
  const others = result.firings.filter((f) => !ids.has(f.automationId));
  const instead =
    mine.length > 0
      ? `it fired ${plural(mine.length, "time")} in all:${list(mine)}`
      : unsupported.length > 0
        ? `it cannot fire: ${unsupported.map((u) => u.reason).join("; ")}`
        : others.length > 0
          ? `it never fired; other automations fired:${list(others)}`
          : `nothing fired (${plural(result.events.length, "event")} evaluated)`;
  const fire = query.times === undefined ? `expected ${what} to fire, but ${matches.length === 0 && mine.length > 0 ? "it did not; " : ""}${instead}` : `expected ${what} to fire ${plural(query.times, "time")}, but it fired ${plural(matches.length, "time")} as queried; ${instead}`;
  const notFire = query.times === undefined ? `expected ${what} not to fire, but it fired ${plural(matches.length, "time")}:${list(matches)}` : `expected ${what} not to fire exactly ${plural(query.times, "time")}, but it did:${list(matches)}`;
  return { fired, matches, message: { fire, notFire } };
}

/** What `this` holds when a matcher runs (the part of vitest's / Jest's matcher context used here). */
interface MatcherContext {
  readonly isNot?: boolean;
}

/**
 * Matchers for `expect.extend` (vitest or Jest): `toFire(automation, query?)` and its negation.
 * `import "@tripwire/evaluator/vitest"` registers them for vitest, with types.
 * @example
 * expect.extend(tripwireMatchers);
 * expect(evaluate(automations, stream)).toFire("loss-spike", { run: "r1", atStep: 7 });
 */
export const tripwireMatchers = {
  toFire(this: MatcherContext, received: unknown, automation: string, query: FiringQuery = {}) {
    if (!isEvaluation(received)) throw new TypeError("toFire() expects the result of evaluate(automations, events)");
    const c = checkFiring(received, automation, query);
    return { pass: c.fired, message: () => (this.isNot ? c.message.notFire : c.message.fire) };
  },
};
