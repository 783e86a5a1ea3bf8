import { BRAND, isBranded, type Branded } from "../brand.js";
import type { ActionSpec } from "../model/action.js";
import type { AutomationSpec, SourceLocation } from "../model/automation.js";
import type { EventSpec, EventType, RunEventType } from "../model/event.js";
import type { Scope, ScopeType } from "../model/scope.js";
import { TripwireError } from "../issues.js";
import { scopeAllowsEvent, scopeEventMessage } from "../rules.js";
import type { EventRef } from "./event.js";
import type { ScopeRef } from "./scope.js";
import { captureSource, compact, deepFreeze, type LazySource } from "./util.js";

type CollectionKind = "collection" | "collections";

/** The compile-time message for an event a scope cannot take (the same rule is checked at run time). */
export type ScopeEventCheck<K extends ScopeType, T> = T extends "createArtifact"
  ? K extends CollectionKind
    ? unknown
    : {
        readonly "onCreateArtifact needs a collection scope: project(p).collection(name), registry(r).collection(name) or project(p).collections(filter)": never;
      }
  : T extends RunEventType
    ? K extends CollectionKind
      ? { readonly "run events (onRunMetric, onRunState) need a project, registry, team or org scope, not a collection": never }
      : unknown
    : unknown;

/** Placeholder parameter type that turns a call in the wrong order into a readable compile error. */
export interface CallFirst<Message extends string> {
  readonly __callFirst: Message;
}

/** Settings available at every stage of the builder. */
export interface AutomationOptions<Self> {
  /** @example automation("deploy").describe("Deploy whatever gets the production alias") */
  describe(description: string): Self;
  /** Enabled by default; only enabled automations fire. @example automation("trial").enabled(false) */
  enabled(enabled?: boolean): Self;
  /** Earlier names of this automation: apply renames it in place, keeping its W&B ID and history. @example automation("loss-spike-v2").movedFrom("loss-spike") */
  movedFrom(...names: string[]): Self;
  /** Refuse to delete this automation, whatever the plan says. @example automation("deploy-prod").protect() */
  protect(protect?: boolean): Self;
  /**
   * Silence one `tripwire lint` check for this automation, saying why (kept in the definition, never sent to W&B).
   * @example automation("deploy-prod").lintIgnore("TWL030", "the deploy webhook re-aliases staging only")
   */
  lintIgnore(code: string, reason: string): Self;
}

interface Stage extends Branded<"automation"> {
  /** The automation's name (unique per scope). */
  readonly name: string;
  /** Where the definition was written: the call to `automation(...)`. */
  readonly source: SourceLocation | undefined;
}

/** `automation(name)`: choose a scope with `.in(scope)` next. */
export interface NewAutomation extends Stage, AutomationOptions<NewAutomation> {
  readonly stage: "new";
  in<K extends ScopeType>(scope: ScopeRef<K>): ScopedAutomation<K>;
  on(event: CallFirst<"call .in(scope) before .on(event)">): never;
  do(action: CallFirst<"call .on(event) before .do(action)">): never;
}

/** An automation with a scope: choose its event with `.on(event)` next. */
export interface ScopedAutomation<K extends ScopeType> extends Stage, AutomationOptions<ScopedAutomation<K>> {
  readonly stage: "scoped";
  on<T extends EventType | "raw">(event: EventRef<T> & ScopeEventCheck<K, T>): EventedAutomation;
  do(action: CallFirst<"call .on(event) before .do(action)">): never;
}

/** An automation with a scope and an event: choose its action with `.do(action)`. */
export interface EventedAutomation extends Stage, AutomationOptions<EventedAutomation> {
  readonly stage: "evented";
  do(action: ActionSpec): Automation;
}

/** A complete automation definition: export it from a file and `tripwire plan` finds it. */
export interface Automation extends Stage, AutomationOptions<Automation> {
  readonly stage: "complete";
  /** The definition as plain, frozen data. */
  toSpec(): AutomationSpec;
  toJSON(): AutomationSpec;
}

/** Any stage of the builder (what a loader may find exported). */
export type AnyAutomation = NewAutomation | ScopedAutomation<ScopeType> | EventedAutomation | Automation;

interface State {
  readonly name: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly scope?: Scope;
  readonly event?: EventSpec;
  readonly action?: ActionSpec;
  readonly movedFrom?: readonly string[];
  readonly protect?: boolean;
  readonly lintIgnore?: readonly { readonly code: string; readonly reason: string }[];
  readonly source: LazySource;
}

function stageOf(s: State): AnyAutomation["stage"] {
  if (s.action) return "complete";
  if (s.event) return "evented";
  if (s.scope) return "scoped";
  return "new";
}

function specOf(s: State): AutomationSpec {
  return deepFreeze(
    compact({
      name: s.name,
      description: s.description,
      enabled: s.enabled,
      scope: s.scope as Scope,
      event: s.event as EventSpec,
      action: s.action as ActionSpec,
      movedFrom: s.movedFrom && s.movedFrom.length > 0 ? [...s.movedFrom] : undefined,
      protect: s.protect ? true : undefined,
      lintIgnore: s.lintIgnore && s.lintIgnore.length > 0 ? s.lintIgnore.map((i) => ({ code: i.code, reason: i.reason })) : undefined,
    }),
  ) as AutomationSpec;
}

/**
 * One class for every stage (the stage types above narrow what each exposes): methods live on the prototype, so a
 * file of thousands of definitions allocates one small object per builder call, not a set of closures.
 */
class AutomationBuilder {
  readonly #state: State;
  #spec: AutomationSpec | undefined;
  readonly name: string;
  readonly stage: AnyAutomation["stage"];

  constructor(state: State) {
    this.#state = state;
    this.name = state.name;
    this.stage = stageOf(state);
    Object.freeze(this);
  }

  /** Where `automation(...)` was called (computed on first read). */
  get source(): SourceLocation | undefined {
    return this.#state.source();
  }
  #next(patch: Partial<State>): AutomationBuilder {
    // Object.assign, not { ...state, ...patch }: V8 (Node 20) takes a slow path for a spread followed by more
    // properties when the object holds a closure (the state's `source`): ~1 µs a step, four steps an automation.
    return new AutomationBuilder(Object.assign({}, this.#state, patch));
  }
  describe(description: string) {
    return this.#next({ description });
  }
  enabled(enabled = true) {
    return this.#next({ enabled });
  }
  movedFrom(...names: string[]) {
    return this.#next({ movedFrom: [...(this.#state.movedFrom ?? []), ...names] });
  }
  protect(protect = true) {
    return this.#next({ protect });
  }
  lintIgnore(code: string, reason: string) {
    if (typeof code !== "string" || typeof reason !== "string" || reason.trim() === "") {
      throw new TripwireError("TW1000", `automation "${this.#state.name}": .lintIgnore(code, reason) needs a check code such as "TWL020" and a reason`);
    }
    return this.#next({ lintIgnore: [...(this.#state.lintIgnore ?? []), { code, reason }] });
  }
  in(scope: ScopeRef) {
    const state = this.#state;
    if (!isBranded(scope, "scope")) {
      throw new TripwireError("TW1000", `automation "${state.name}": .in() needs a scope: project("entity/project"), registry("org/name"), team(name) or org(name)`);
    }
    if (state.event) throw new TripwireError("TW1000", `automation "${state.name}": call .in(scope) before .on(event)`);
    return this.#next({ scope: scope.spec });
  }
  on(event: EventRef) {
    const state = this.#state;
    if (!state.scope) throw new TripwireError("TW1000", `automation "${state.name}": call .in(scope) before .on(event)`);
    if (!isBranded(event, "event")) {
      throw new TripwireError("TW1000", `automation "${state.name}": .on() needs an event such as onRunMetric(...), onRunState([...]) or onAddArtifactAlias(...)`);
    }
    if (event.spec.type !== "raw" && !scopeAllowsEvent(state.scope.type, event.spec.type)) {
      throw new TripwireError("TW1002", `automation "${state.name}": ${scopeEventMessage(state.scope.type, event.spec.type)}`);
    }
    return this.#next({ event: event.spec });
  }
  do(action: ActionSpec) {
    const state = this.#state;
    if (!state.event) throw new TripwireError("TW1000", `automation "${state.name}": call .on(event) before .do(action)`);
    if (typeof action !== "object" || action === null || typeof (action as { type?: unknown }).type !== "string") {
      throw new TripwireError("TW1000", `automation "${state.name}": .do() needs an action: sendNotification(...), sendWebhook(...) or doNothing()`);
    }
    return this.#next({ action: deepFreeze(structuredClone(action)) });
  }
  toSpec(): AutomationSpec {
    if (this.stage !== "complete") throw incomplete(this.#state);
    this.#spec ??= specOf(this.#state);
    return this.#spec;
  }
  toJSON() {
    return this.stage === "complete" ? this.toSpec() : { name: this.name, incomplete: this.stage };
  }
}
Object.defineProperty(AutomationBuilder.prototype, BRAND, { value: "automation", enumerable: false });

function build(state: State): AnyAutomation {
  return new AutomationBuilder(state) as unknown as AnyAutomation;
}

function incomplete(state: State): TripwireError {
  const missing = !state.scope ? ".in(scope)" : !state.event ? ".on(event)" : ".do(action)";
  return new TripwireError("TW1000", `automation "${state.name}" is incomplete: it needs ${missing}`);
}

/**
 * Starts an automation definition: `automation(name).in(scope).on(event).do(action)`.
 * @example
 * export default automation("deploy-prod")
 *   .in(registry("acme/model").collection("llm-7b"))
 *   .on(onAddArtifactAlias(alias.eq("production")))
 *   .do(sendWebhook(webhook("deploy"), { payload: { version: "${artifact_version_string}" } }))
 *   .describe("Deploy whatever gets the production alias");
 */
export function automation(name: string): NewAutomation {
  return build({ name, enabled: true, source: captureSource(automation) }) as NewAutomation;
}

/**
 * Whether a value is an automation built by any copy of the SDK (complete or not).
 * @example Object.values(await import("./automations/alerts.ts")).filter(isAutomation)
 */
export function isAutomation(value: unknown): value is AnyAutomation {
  return isBranded(value, "automation");
}

/**
 * The plain data of a complete automation; throws a coded error naming the missing step otherwise.
 * @example toSpec(automation("x").in(project("acme/llm")).on(onRunState(["failed"])).do(doNothing()))
 */
export function toSpec(value: AnyAutomation): AutomationSpec {
  if (!isAutomation(value)) throw new TripwireError("TW1000", "toSpec() needs an automation built with automation(name)");
  return (value as Automation).toSpec();
}
