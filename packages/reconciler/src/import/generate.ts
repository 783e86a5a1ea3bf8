import { createRequire } from "node:module";
import type { CodeBlockWriter, ImportDeclaration, ImportSpecifierStructure, Node, Project, SourceFile, StatementStructures, VariableStatementStructure, WriterFunction } from "ts-morph";
import type * as TsMorph from "ts-morph";

// ts-morph brings a whole TypeScript compiler (a second or more to load), and only `tripwire import` generates code:
// it is required on first use, not when the package is imported (a tripwire.config.ts imports this package).
let tsMorph: typeof TsMorph | undefined;
const morph = (): typeof TsMorph => (tsMorph ??= createRequire(import.meta.url)("ts-morph") as typeof TsMorph);
import { scopeKey, type ActionSpec, type AutomationSpec, type EventSpec, type FilterExpr, type JsonValue, type Scope } from "@tripwire/sdk";
import { DEFAULT_FORMAT, formatTypeScript, printWidthOf, type FormatOptions } from "./format.js";
import { automationCandidates, Namer, scopeCandidates, type HolderScope } from "./names.js";

/** The module generated definitions import the builders from. */
export const SDK_MODULE = "@tripwire/sdk";

/** One live automation to write as builder code. */
export interface GeneratedAutomation {
  /** The live definition, normalised (what `decodeAutomation` returns, without Tripwire's marker). */
  readonly spec: AutomationSpec;
  /** What is kept verbatim and why: each note becomes a `// tripwire import: …` comment above the definition. */
  readonly notes?: readonly string[];
}

/** A live automation that is not imported: it gets a `// tripwire import: skipped …` comment, never code. */
export interface SkippedAutomation {
  readonly address: string;
  readonly reason: string;
}

export interface GenerateInput {
  readonly automations: readonly GeneratedAutomation[];
  readonly skipped?: readonly SkippedAutomation[];
  /** The current text of the file to append to; absent for a new file. Its code is never reformatted or removed. */
  readonly existing?: string;
  /** Comment lines at the top of a new file (without `//`). */
  readonly header?: readonly string[];
  /** Prettier's options for the new code (the user's, from `formatOptionsFor`); default {@link DEFAULT_FORMAT}. */
  readonly format?: Readonly<FormatOptions>;
}

/** Where a generated definition is: its exported constant and its `automation(` call (1-based line and column). */
export interface GeneratedDefinition {
  readonly identifier: string;
  readonly line: number;
  readonly column: number;
}

export interface GenerateResult {
  readonly text: string;
  /** Each generated automation by address (`project:acme/llm/loss-spike`). */
  readonly definitions: Readonly<Record<string, GeneratedDefinition>>;
  /** Addresses of skipped automations that got a comment now (one already commented in `existing` does not). */
  readonly commented: readonly string[];
  /** Whether `text` differs from `existing` (a new file always does). */
  readonly changed: boolean;
}

/** The prefix of every comment import writes: searchable, and how a re-run recognises its own skip notes. */
export const COMMENT_PREFIX = "tripwire import:";

type Vocabulary =
  | "automation"
  | "project"
  | "registry"
  | "team"
  | "org"
  | "metric"
  | "onRunMetric"
  | "onRunState"
  | "onRawEvent"
  | "onCreateArtifact"
  | "onLinkArtifact"
  | "onUnlinkArtifact"
  | "onAddArtifactAlias"
  | "onAddArtifactTag"
  | "onRemoveArtifactTag"
  | "onAddCollectionTag"
  | "onRemoveCollectionTag"
  | "runName"
  | "runUser"
  | "alias"
  | "tag"
  | "collectionName"
  | "and"
  | "or"
  | "not"
  | "rawFilter"
  | "sendNotification"
  | "sendWebhook"
  | "doNothing"
  | "slack"
  | "webhook";

const ARTIFACT_EVENT_CALL: Record<string, Vocabulary> = {
  createArtifact: "onCreateArtifact",
  linkArtifact: "onLinkArtifact",
  unlinkArtifact: "onUnlinkArtifact",
  addArtifactAlias: "onAddArtifactAlias",
  addArtifactTag: "onAddArtifactTag",
  removeArtifactTag: "onRemoveArtifactTag",
  addCollectionTag: "onAddCollectionTag",
  removeCollectionTag: "onRemoveCollectionTag",
};

interface Ctx {
  /** The local name of an SDK export (recorded as used). */
  v(name: Vocabulary): string;
  /** The expression for a scope: a shared constant, or a collection of one. */
  scope(scope: Scope): string;
}

const call = (fn: string, args: readonly string[]) => `${fn}(${args.join(", ")})`;
const array = (items: readonly string[]) => `[${items.join(", ")}]`;
const object = (entries: readonly string[]) => (entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`);

/**
 * A string literal. Prettier then picks the quotes (double, or single when that avoids escaping, or the user's
 * `singleQuote`); the escapes written here stay.
 */
function str(s: string): string {
  // JSON leaves U+2028 and U+2029 unescaped; TypeScript's scanner and editors read them as line breaks.
  return JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
const num = (n: number) => String(n);

/** A JSON value as a TypeScript literal, with unquoted keys where they are identifiers. */
function literal(value: JsonValue): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return num(value);
  if (typeof value === "string") return str(value);
  if (Array.isArray(value)) return array(value.map(literal));
  return object(Object.entries(value).map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`));
}

function propertyKey(key: string): string {
  // `__proto__: …` in a literal sets the prototype; a computed key makes it an own property, as JSON.parse does.
  if (key === "__proto__") return `["__proto__"]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : str(key);
}

function filter(expr: FilterExpr, c: Ctx): string {
  switch (expr.op) {
    case "and":
    case "or":
      return call(c.v(expr.op), expr.args.map((a) => filter(a, c)));
    case "not":
      return call(c.v("not"), [filter(expr.arg, c)]);
    case "raw":
      return call(c.v("rawFilter"), [literal(expr.json)]);
    case "in":
      return call(`${c.v(expr.field)}.in`, [array(expr.values.map(str))]);
    default:
      return `${c.v(expr.field)}.${expr.op}(${str(expr.value)})`;
  }
}

function event(e: EventSpec, c: Ctx): string {
  const where = (base: string, runFilter: FilterExpr | undefined) => (runFilter ? `${base}.where(${filter(runFilter, c)})` : base);
  switch (e.type) {
    case "raw":
      return call(c.v("onRawEvent"), [str(e.wireType), literal(e.filter)]);
    case "runState":
      return where(call(c.v("onRunState"), [array(e.states.map(str))]), e.runFilter);
    case "runMetricThreshold":
    case "runMetricChange":
    case "runMetricZScore":
      return where(call(c.v("onRunMetric"), [metricCondition(e, c)]), e.runFilter);
    default: {
      const fn = c.v(ARTIFACT_EVENT_CALL[e.type] as Vocabulary);
      return call(fn, e.filter ? [filter(e.filter, c)] : []);
    }
  }
}

function metricCondition(e: Extract<EventSpec, { type: "runMetricThreshold" | "runMetricChange" | "runMetricZScore" }>, c: Ctx): string {
  const m = `${c.v("metric")}(${str(e.metric)})`;
  switch (e.type) {
    case "runMetricThreshold":
      // The latest value needs no `.latest()`: comparing the metric directly means the same.
      return `${m}${e.agg === null ? "" : `.${e.agg}(${num(e.window)})`}.${e.cmp}(${num(e.threshold)})`;
    case "runMetricChange": {
      const verb = { increase: "increasesBy", decrease: "decreasesBy", any: "changesBy" }[e.direction];
      const amount = `${e.change === "relative" ? "frac" : "diff"}: ${num(e.amount)}`;
      if (e.agg === null) return `${m}.${verb}({ ${amount} })`;
      return `${m}.${e.agg}(${num(e.window)}).${verb}({ ${amount}, priorWindow: ${num(e.priorWindow)} })`;
    }
    case "runMetricZScore": {
      const z = `${m}.zscore(${num(e.window)})`;
      if (e.direction === "increase") return `${z}.gt(${num(e.threshold)})`;
      if (e.direction === "decrease") return `${z}.lt(${num(-e.threshold)})`;
      return `${z}.abs().gt(${num(e.threshold)})`;
    }
  }
}

function action(a: ActionSpec, c: Ctx): string {
  switch (a.type) {
    case "noop":
      return `${c.v("doNothing")}()`;
    case "notification": {
      const options: string[] = [];
      if (a.title !== "") options.push(`title: ${str(a.title)}`);
      if (a.message !== "") options.push(`message: ${str(a.message)}`);
      if (a.severity !== "INFO") options.push(`severity: ${str(a.severity)}`);
      const integration = integrationRef(c.v("slack"), a.integration);
      return call(c.v("sendNotification"), options.length > 0 ? [integration, object(options)] : [integration]);
    }
    case "webhook": {
      const integration = integrationRef(c.v("webhook"), a.integration);
      if (a.payload !== undefined) return call(c.v("sendWebhook"), [integration, object([`payload: ${literal(a.payload)}`])]);
      if (a.payloadText !== undefined) return call(c.v("sendWebhook"), [integration, object([`payloadText: ${str(a.payloadText)}`])]);
      return call(c.v("sendWebhook"), [integration]);
    }
    case "raw":
      // Import never generates these (W&B's API cannot write them); reaching here is a Tripwire bug.
      throw new Error(`internal error: a ${a.wireType} action cannot be written as builder code`);
  }
}

function integrationRef(fn: string, i: { name: string; entity?: string | undefined }): string {
  return i.entity === undefined ? `${fn}(${str(i.name)})` : `${fn}(${str(i.name)}, { entity: ${str(i.entity)} })`;
}

/** `automation(name).in(…).on(…).do(…)`, then `.describe(…)` and `.enabled(false)` where they apply (on one line: Prettier breaks it). */
function automationExpression(spec: AutomationSpec, c: Ctx): string {
  const steps = [`.in(${c.scope(spec.scope)})`, `.on(${event(spec.event, c)})`, `.do(${action(spec.action, c)})`];
  if (spec.description !== undefined) steps.push(`.describe(${str(spec.description)})`);
  if (!spec.enabled) steps.push(".enabled(false)");
  return `${call(c.v("automation"), [str(spec.name)])}${steps.join("")}`;
}

/** The scope a shared constant stands for: collections use their project's or registry's constant. */
function sharedScope(scope: Scope): HolderScope {
  if (scope.type === "collection" || scope.type === "collections") return scope.parent;
  return scope;
}

function scopeInitializer(scope: HolderScope, v: (n: Vocabulary) => string): string {
  const path = (a: string, b: string) => (a.includes("/") ? `${str(a)}, ${str(b)}` : str(`${a}/${b}`));
  switch (scope.type) {
    case "project":
      return `${v("project")}(${path(scope.entity, scope.project)})`;
    case "registry":
      return `${v("registry")}(${path(scope.org, scope.registry)})`;
    case "team":
      return `${v("team")}(${str(scope.team)})`;
    case "org":
      return `${v("org")}(${str(scope.org)})`;
  }
}

/** A `// tripwire import: …` comment, its words wrapped within `width` columns. */
function commentLines(text: string, width: number): string[] {
  const words = `${COMMENT_PREFIX} ${text}`.replace(/\s+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    const indent = lines.length === 0 ? "// ".length : "//   ".length;
    if (line !== "" && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line === "" ? w : `${line} ${w}`;
  }
  if (line !== "") lines.push(line);
  return lines.map((l, i) => (i === 0 ? `// ${l}` : `//   ${l}`));
}

/** Every name declared at the top level of a file: imports, variables, functions, classes, types. */
function topLevelNames(file: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of file.getStatements()) {
    if (morph().Node.isImportDeclaration(statement)) {
      const d = statement.getDefaultImport();
      if (d) names.add(d.getText());
      const ns = statement.getNamespaceImport();
      if (ns) names.add(ns.getText());
      for (const n of statement.getNamedImports()) names.add((n.getAliasNode() ?? n.getNameNode()).getText());
    } else if (morph().Node.isVariableStatement(statement)) {
      for (const decl of statement.getDeclarations()) {
        const nameNode = decl.getNameNode();
        if (morph().Node.isIdentifier(nameNode)) names.add(nameNode.getText());
        else for (const id of nameNode.getDescendantsOfKind(morph().SyntaxKind.Identifier)) names.add(id.getText());
      }
    } else if (
      morph().Node.isFunctionDeclaration(statement) ||
      morph().Node.isClassDeclaration(statement) ||
      morph().Node.isInterfaceDeclaration(statement) ||
      morph().Node.isTypeAliasDeclaration(statement) ||
      morph().Node.isEnumDeclaration(statement) ||
      morph().Node.isModuleDeclaration(statement) ||
      morph().Node.isImportEqualsDeclaration(statement)
    ) {
      const name = statement.getName();
      if (name) names.add(name);
    }
  }
  return names;
}

/** The value import of the SDK (not `import type`), whose bindings generated code can use. */
function sdkImport(file: SourceFile): ImportDeclaration | undefined {
  return file.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === SDK_MODULE && !d.isTypeOnly() && d.getNamespaceImport() === undefined);
}

/** Top-level `const x = <initializer>` of the file, by {@link initializerKey}. */
function constsByInitializer(file: SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const statement of file.getVariableStatements()) {
    if (statement.getDeclarationKind() !== "const") continue;
    for (const decl of statement.getDeclarations()) {
      const init = decl.getInitializer();
      const nameNode = decl.getNameNode();
      if (init && morph().Node.isIdentifier(nameNode)) {
        const key = initializerKey(init);
        if (!out.has(key)) out.set(key, nameNode.getText());
      }
    }
  }
  return out;
}

/**
 * An initializer's text without whitespace and with its string literals written as {@link str} writes them, so
 * `project('acme/llm')` (a file formatted with `singleQuote`) is the constant the generator would write.
 */
function initializerKey(node: Node): string {
  const text = node.getSourceFile().getFullText();
  let key = "";
  let at = node.getStart();
  for (const quoted of node.getDescendantsOfKind(morph().SyntaxKind.StringLiteral)) {
    key += text.slice(at, quoted.getStart()) + str(quoted.getLiteralValue());
    at = quoted.getEnd();
  }
  return (key + text.slice(at, node.getEnd())).replace(/\s+/g, "");
}

const constStatement = (name: string, initializer: string, isExported = false): VariableStatementStructure => ({
  kind: morph().StructureKind.VariableStatement,
  declarationKind: morph().VariableDeclarationKind.Const,
  isExported,
  declarations: [{ name, initializer }],
});
/** Statements preceded by a blank line (Prettier keeps one, and adds none). */
const apart = <T extends StatementStructures>(statement: T, comments: readonly string[] = []): T => ({
  ...statement,
  leadingTrivia: (w: CodeBlockWriter) => {
    w.blankLineIfLastNot();
    for (const c of comments) w.writeLine(c);
  },
});
const commentStatement = (lines: readonly string[]): WriterFunction => (w) => {
  w.blankLineIfLastNot();
  for (const l of lines) w.writeLine(l);
};

/**
 * Writes live automations as builder code: the SDK's vocabulary, integrations by name, one exported constant per
 * automation (a camelCase identifier from its name, unique in the file), shared scope constants
 * (`const llm = project("acme/llm")`). The statements are built with ts-morph and laid out by Prettier (`format`:
 * the user's Prettier options, default {@link DEFAULT_FORMAT}). With `existing`, the new definitions are appended and
 * missing imports added; the existing code is left exactly as it is (only the SDK import is rewritten, when it needs
 * more names), and its scope constants reused. Pure: text in, text out.
 * @example
 * const { text } = await generateSource({ automations: [{ spec }], header: ["Imported from W&B"] });
 */
export async function generateSource(input: GenerateInput): Promise<GenerateResult> {
  const format = input.format ?? DEFAULT_FORMAT;
  const width = printWidthOf(format);
  const project = new (morph().Project)({ useInMemoryFileSystem: true, compilerOptions: { target: morph().ts.ScriptTarget.ES2022 } });
  const existingText = input.existing;
  const file = project.createSourceFile("/existing.ts", existingText ?? "");
  const namer = new Namer(topLevelNames(file));
  const importDecl = sdkImport(file);
  const bound = new Map<string, string>(); // SDK export → its local name in the file
  for (const n of importDecl?.getNamedImports() ?? []) {
    if (!n.isTypeOnly()) bound.set(n.getName(), (n.getAliasNode() ?? n.getNameNode()).getText());
  }
  const specs = [...input.automations].sort((a, b) => compareKeys(orderKey(a.spec), orderKey(b.spec)));

  // Pass 1: which SDK exports the code needs. Then each gets a local name (its own, unless the file uses it).
  const used = new Set<Vocabulary>();
  const record = (n: Vocabulary) => {
    used.add(n);
    return n;
  };
  for (const { spec } of specs) {
    automationExpression(spec, { v: record, scope: (s) => (s.type === "collections" && s.filter ? filter(s.filter, { v: record, scope: () => "" }) : "") });
    scopeInitializer(sharedScope(spec.scope), record);
  }
  const added: ImportSpecifierStructure[] = [];
  for (const name of [...used].sort()) {
    if (bound.has(name)) continue;
    const local = namer.has(name) ? namer.claim([`tw${name.charAt(0).toUpperCase()}${name.slice(1)}`], `tw${name}`) : name;
    namer.reserve(local);
    bound.set(name, local);
    added.push(local === name ? { kind: morph().StructureKind.ImportSpecifier, name } : { kind: morph().StructureKind.ImportSpecifier, name, alias: local });
  }
  const v = (n: Vocabulary) => bound.get(n) as string;

  // Scope constants: reuse an identical one in the file, else declare one.
  const existingConsts = constsByInitializer(file);
  const scopeNames = new Map<string, string>();
  const statements: (StatementStructures | WriterFunction)[] = [];
  for (const { spec } of specs) {
    const shared = sharedScope(spec.scope);
    const key = scopeKey(shared);
    if (scopeNames.has(key)) continue;
    const init = scopeInitializer(shared, v);
    const reuse = existingConsts.get(init.replace(/\s+/g, ""));
    if (reuse) {
      scopeNames.set(key, reuse);
      continue;
    }
    const name = namer.claim(scopeCandidates(shared), "scope");
    scopeNames.set(key, name);
    // The scope constants stand together, apart from what precedes them.
    statements.push(statements.length === 0 ? apart(constStatement(name, init)) : constStatement(name, init));
  }
  const ctx: Ctx = {
    v,
    scope: (s) => {
      const base = scopeNames.get(scopeKey(sharedScope(s))) as string;
      if (s.type === "collection") return `${base}.collection(${str(s.collection)})`;
      if (s.type === "collections") return `${base}.collections(${s.filter ? filter(s.filter, ctx) : ""})`;
      return base;
    },
  };

  const identifiers = new Map<string, string>();
  // Constants holding automations (the file's and ours): a clash with one is a same name in another scope.
  const automationIds = new Set([...existingConsts].filter(([init]) => init.startsWith(`${v("automation")}(`)).map(([, name]) => name));
  for (const { spec, notes } of specs) {
    const qualifier = spec.scope.type === "collection" ? spec.scope.collection : (scopeNames.get(scopeKey(sharedScope(spec.scope))) as string);
    const id = namer.claim(automationCandidates(spec.name, qualifier, namer, automationIds), "unnamedAutomation");
    automationIds.add(id);
    identifiers.set(addressOf(spec), id);
    statements.push(apart(constStatement(id, automationExpression(spec, ctx), true), (notes ?? []).flatMap((n) => commentLines(n, width))));
  }
  const commented: string[] = [];
  for (const s of input.skipped ?? []) {
    const tag = `${COMMENT_PREFIX} skipped ${s.address}:`;
    if (existingText?.includes(tag)) continue;
    commented.push(s.address);
    statements.push(commentStatement(commentLines(`skipped ${s.address}: ${s.reason}`, width)));
  }

  if (existingText === undefined) {
    const header = (input.header ?? []).map((l) => `// ${l}`.trimEnd());
    const out = project.createSourceFile("/new.ts", "", { overwrite: true });
    if (header.length > 0) out.addStatements(commentStatement(header));
    if (added.length > 0) out.addStatements([apart({ kind: morph().StructureKind.ImportDeclaration, moduleSpecifier: SDK_MODULE, namedImports: added })]);
    out.addStatements(statements);
    const text = await formatTypeScript(out.getFullText(), format);
    return { text, definitions: locate(project, text, identifiers), commented, changed: true };
  }

  if (statements.length === 0) return { text: existingText, definitions: {}, commented, changed: false };
  // Format only what is new: the user's code in an existing file keeps its own style.
  const body = project.createSourceFile("/body.ts", "", { overwrite: true });
  body.addStatements(statements);
  const bodyText = (await formatTypeScript(body.getFullText(), format)).trim();
  if (added.length > 0) {
    let decl = importDecl;
    if (decl) mergeImport(decl, added);
    else {
      const index = file.getImportDeclarations().length > 0 ? (file.getImportDeclarations().at(-1) as ImportDeclaration).getChildIndex() + 1 : 0;
      decl = file.insertImportDeclaration(index, { moduleSpecifier: SDK_MODULE, namedImports: added });
    }
    decl.replaceWithText((await formatTypeScript(decl.getText(), format)).trim());
  }
  const current = file.getFullText();
  const final = `${current.trimEnd()}${current.trim() === "" ? "" : "\n\n"}${bodyText}\n`;
  return { text: final, definitions: locate(project, final, identifiers), commented, changed: final !== existingText };
}

/**
 * Adds names to the file's SDK import, keeping its specifiers as written and in their order: new names slotted in
 * where they sort when the list is sorted, else after it. Prettier then lays out this declaration alone.
 */
function mergeImport(decl: ImportDeclaration, names: readonly ImportSpecifierStructure[]): void {
  const textOf = (n: ImportSpecifierStructure) => (n.alias ? `${n.name} as ${n.alias}` : n.name);
  const current = decl.getNamedImports().map((n) => n.getText());
  const sorted = current.every((n, i) => i === 0 || (current[i - 1] as string).localeCompare(n) <= 0);
  const after = [...current];
  for (const n of names) {
    const at = sorted ? after.findIndex((c) => c.localeCompare(textOf(n)) > 0) : -1;
    const index = at === -1 ? after.length : at;
    decl.insertNamedImport(index, n);
    after.splice(index, 0, textOf(n));
  }
}

const SCOPE_ORDER: Record<string, number> = { project: 0, registry: 1, team: 2, org: 3 };

/** Definitions grouped by their shared scope (projects, registries, teams, orgs), its own before its collections'. */
function orderKey(spec: AutomationSpec): (string | number)[] {
  const shared = sharedScope(spec.scope);
  const collection = spec.scope.type === "collection" ? spec.scope.collection : "";
  return [SCOPE_ORDER[shared.type] ?? 9, scopeKey(shared), spec.scope.type === "collections" ? 1 : 0, collection, spec.name];
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) return typeof x === "number" && typeof y === "number" ? x - y : String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function addressOf(spec: AutomationSpec): string {
  return `${scopeKey(spec.scope)}/${spec.name}`;
}

/** Where each generated constant's `automation(` call is in the final text. */
function locate(project: Project, text: string, identifiers: ReadonlyMap<string, string>): Record<string, GeneratedDefinition> {
  const file = project.createSourceFile("/final.ts", text, { overwrite: true });
  const out: Record<string, GeneratedDefinition> = {};
  for (const [address, identifier] of identifiers) {
    const decl = file.getVariableDeclaration(identifier);
    let node: Node | undefined = decl?.getInitializer();
    // Down the chain `automation(name).in(…).on(…).do(…)…` to the `automation(name)` call.
    while (node && (morph().Node.isCallExpression(node) || morph().Node.isPropertyAccessExpression(node)) && !isRootCall(node)) node = node.getExpression();
    const pos = node ? node.getStart() : (decl?.getStart() ?? 0);
    const { line, column } = file.getLineAndColumnAtPos(pos);
    out[address] = { identifier, line, column };
  }
  return out;
}

function isRootCall(node: Node): boolean {
  return morph().Node.isCallExpression(node) && morph().Node.isIdentifier(node.getExpression());
}
