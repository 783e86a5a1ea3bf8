/**
 * Artifact and collection automations (§D): an artifact event fires the automations of its type whose scope
 * contains the collection and whose filter matches the event's aliases or tags. The engine keeps which version
 * holds each alias of a collection, so that adding an alias a version already holds adds nothing and a firing
 * can name the alias's previous holder.
 */
import type { EventType } from "@tripwire/sdk";
import type { ArtifactEvent, CollectionTagEvent } from "../events/index.js";
import type { FieldValues } from "../filter.js";
import { artifactLocation, scopeContains, type Location } from "../scope.js";
import type { Clock } from "./clock.js";
import type { Compilation, Compiled } from "./compile.js";
import type { ArtifactExplanation, Firing } from "./types.js";

export class ArtifactPath {
  /** Per collection (`holderKey`): alias → the version that holds it. */
  readonly aliasHolders = new Map<string, Map<string, number>>();

  constructor(
    private readonly c: Compilation,
    private readonly clock: Clock,
  ) {}

  private holderKey(loc: Location, collection: string): string {
    return `${loc.registry ? "registry" : "project"}:${loc.entity}/${loc.name}/${collection}`;
  }

  push(event: ArtifactEvent): Firing[] {
    this.clock.now(event.timestamp);
    const loc = artifactLocation(event, this.c.options.orgOf);
    const out: Firing[] = [];
    const key = this.holderKey(loc, event.collection);
    const aliases = event.aliases ?? [];
    const addAliases = (list: readonly string[]) => {
      for (const alias of list) {
        let holders = this.aliasHolders.get(key);
        if (holders === undefined) this.aliasHolders.set(key, (holders = new Map()));
        const previous = holders.get(alias);
        if (previous === event.version) continue; // already held: nothing is added
        holders.set(alias, event.version);
        this.fire(out, "addArtifactAlias", event, loc, "alias", [alias], { alias, previousHolder: previous ?? null });
      }
    };
    switch (event.type) {
      case "artifact.created":
        this.fire(out, "createArtifact", event, loc, "alias", aliases, {});
        addAliases(aliases);
        break;
      case "artifact.linked":
        this.fire(out, "linkArtifact", event, loc, "alias", aliases, {});
        addAliases(aliases);
        break;
      case "artifact.unlinked": {
        this.fire(out, "unlinkArtifact", event, loc, "alias", aliases, {});
        const holders = this.aliasHolders.get(key);
        if (holders) for (const [alias, version] of holders) if (version === event.version) holders.delete(alias);
        break;
      }
      case "artifact.alias_added":
        addAliases([event.alias ?? ""]);
        break;
      case "artifact.tag_added":
        this.fire(out, "addArtifactTag", event, loc, "tag", [event.tag ?? ""], { tag: event.tag ?? "" });
        break;
      case "artifact.tag_removed":
        this.fire(out, "removeArtifactTag", event, loc, "tag", [event.tag ?? ""], { tag: event.tag ?? "" });
        break;
    }
    return out;
  }

  pushCollectionTag(event: CollectionTagEvent): Firing[] {
    this.clock.now(event.timestamp);
    const loc = artifactLocation(event, this.c.options.orgOf);
    const out: Firing[] = [];
    const type = event.type === "collection.tag_added" ? "addCollectionTag" : "removeCollectionTag";
    this.fire(out, type, event, loc, "tag", [event.tag], { tag: event.tag });
    return out;
  }

  private fire(
    out: Firing[],
    type: EventType,
    event: ArtifactEvent | CollectionTagEvent,
    loc: Location,
    field: "alias" | "tag",
    values: readonly string[],
    extra: { alias?: string; tag?: string; previousHolder?: number | null },
  ): void {
    const list = this.c.artifactAutos.get(type);
    if (list === undefined) return;
    const fields: FieldValues = { [field]: values };
    for (const ai of list) {
      const a = this.c.autos[ai] as Compiled;
      if (!scopeContains(a.spec.scope, loc, event.collection, a.collectionFilter) || !a.filter(fields)) continue;
      const artifact: NonNullable<Firing["artifact"]> = { entity: event.entity, collection: event.collection };
      if (loc.registry) artifact.registry = loc.name;
      else artifact.project = loc.name;
      if ("version" in event) artifact.version = event.version;
      if (extra.alias !== undefined) artifact.alias = extra.alias;
      if (extra.tag !== undefined) artifact.tag = extra.tag;
      const explanation: ArtifactExplanation = { kind: "artifact", event: event.type, field, values: [...values] };
      out.push({
        automationId: a.id,
        automation: a.spec.name,
        scope: a.spec.scope,
        eventType: type,
        at: event.timestamp,
        event,
        artifact,
        explanation: "previousHolder" in extra ? { ...explanation, previousHolder: extra.previousHolder ?? null } : explanation,
      });
    }
  }
}
