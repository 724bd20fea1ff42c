/**
 * What can be searched and sorted, per subject (runs, experiments): the field tables behind the
 * comparator table of mlruns-format.md §7. The parser checks every clause against these tables,
 * so type errors surface at parse time with a position, never while a search runs.
 *
 * @module
 */
import type { Experiment, Run } from "../entities.js";
import type { EntityType, FieldRef, Operator } from "./ast.js";

/** A field's value on one subject; `undefined` when the subject lacks it. */
export type FieldValue = string | number | undefined;

/** How a field sorts: numbers, strings by code point, or ids (digit strings by magnitude). */
export type SortKind = "number" | "string" | "id";

/** Everything the parser and evaluator need about one field. */
export type FieldSpec<T> = {
  readonly ref: FieldRef;
  /** The literal type a filter must compare it with. */
  readonly valueType: "number" | "string";
  /** Comparators allowed in a filter; empty when the field cannot be filtered. */
  readonly operators: readonly Operator[];
  /** How it sorts; `undefined` when it cannot be an orderBy key. */
  readonly sort: SortKind | undefined;
  readonly get: (subject: T) => FieldValue;
};

/** An entity whose keys are user-chosen (metrics, params, tags). */
export type OpenEntity<T> = {
  readonly open: true;
  readonly valueType: "number" | "string";
  readonly operators: readonly Operator[];
  readonly sort: SortKind | undefined;
  readonly getter: (key: string) => (subject: T) => FieldValue;
};

/** An entity with a fixed set of keys (attributes, dataset fields); aliases map to the same spec. */
export type ClosedEntity<T> = {
  readonly open: false;
  readonly fields: Readonly<Record<string, FieldSpec<T>>>;
};

/** The searchable shape of one subject type. */
export type SearchSchema<T> = {
  readonly subject: "run" | "experiment";
  readonly entities: Readonly<Partial<Record<EntityType, OpenEntity<T> | ClosedEntity<T>>>>;
};

/** Type prefixes and their aliases, lower-case (the parser lower-cases the prefix it reads). */
export const ENTITY_ALIASES: Readonly<Record<string, EntityType>> = {
  metric: "metric",
  metrics: "metric",
  param: "param",
  params: "param",
  parameter: "param",
  parameters: "param",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attributes: "attribute",
  attr: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};

/** Prefix spellings per entity, for messages. */
export const ENTITY_PREFIXES: Readonly<Record<EntityType, string>> = {
  metric: "metrics",
  param: "params",
  tag: "tags",
  attribute: "attributes",
  dataset: "datasets",
};

const NUMERIC_OPS: readonly Operator[] = ["=", "!=", "<", "<=", ">", ">="];
const STRING_OPS: readonly Operator[] = ["=", "!=", "LIKE", "ILIKE"];
const KEYED_STRING_OPS: readonly Operator[] = [...STRING_OPS, "IS NULL", "IS NOT NULL"];
const LIST_OPS: readonly Operator[] = [...STRING_OPS, "IN", "NOT IN"];

// Own-property lookups only: a key such as "constructor" must not find Object.prototype members.
function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Looks `key` up in a closed entity's table, ignoring inherited properties. */
export function ownField<T>(entity: ClosedEntity<T>, key: string): FieldSpec<T> | undefined {
  return own(entity.fields, key);
}

function field<T>(
  entity: EntityType,
  key: string,
  valueType: "number" | "string",
  operators: readonly Operator[],
  sort: SortKind | undefined,
  get: (subject: T) => FieldValue,
): FieldSpec<T> {
  return { ref: { entity, key }, valueType, operators, sort, get };
}

function withAliases<T>(specs: FieldSpec<T>[], aliases: Record<string, string>): Record<string, FieldSpec<T>> {
  const out: Record<string, FieldSpec<T>> = Object.create(null) as Record<string, FieldSpec<T>>;
  for (const s of specs) out[s.ref.key] = s;
  for (const [alias, canonical] of Object.entries(aliases)) out[alias] = out[canonical]!;
  return out;
}

const runStartTime = field<Run>("attribute", "start_time", "number", NUMERIC_OPS, "number", (r) => r.info.startTime);
const runName = field<Run>("attribute", "run_name", "string", STRING_OPS, "string", (r) => r.info.runName);

/** Runs: metrics, params, tags, the attributes of §7 and (always empty) dataset fields. */
export const RUN_SCHEMA: SearchSchema<Run> = {
  subject: "run",
  entities: {
    metric: { open: true, valueType: "number", operators: NUMERIC_OPS, sort: "number", getter: (k) => (r) => own(r.data.metrics, k) },
    param: { open: true, valueType: "string", operators: KEYED_STRING_OPS, sort: "string", getter: (k) => (r) => own(r.data.params, k) },
    tag: { open: true, valueType: "string", operators: KEYED_STRING_OPS, sort: "string", getter: (k) => (r) => own(r.data.tags, k) },
    attribute: {
      open: false,
      fields: withAliases(
        [
          field<Run>("attribute", "run_id", "string", LIST_OPS, "string", (r) => r.info.runId),
          runName,
          field<Run>("attribute", "status", "string", STRING_OPS, "string", (r) => r.info.status),
          field<Run>("attribute", "user_id", "string", STRING_OPS, "string", (r) => r.info.userId),
          field<Run>("attribute", "artifact_uri", "string", STRING_OPS, "string", (r) => r.info.artifactUri),
          runStartTime,
          field<Run>("attribute", "end_time", "number", NUMERIC_OPS, "number", (r) => r.info.endTime ?? undefined),
        ],
        { created: "start_time", Created: "start_time", "run name": "run_name", "Run name": "run_name", "Run Name": "run_name" },
      ),
    },
    // `Run` carries no dataset inputs yet: the clauses parse and type-check, and match nothing.
    dataset: {
      open: false,
      fields: withAliases(
        ["name", "digest", "context"].map((k) => field<Run>("dataset", k, "string", LIST_OPS, undefined, () => undefined)),
        {},
      ),
    },
  },
};

/** Experiments: name and times (filter and sort), experiment_id (sort only), tags (filter). */
export const EXPERIMENT_SCHEMA: SearchSchema<Experiment> = {
  subject: "experiment",
  entities: {
    tag: { open: true, valueType: "string", operators: KEYED_STRING_OPS, sort: undefined, getter: (k) => (e) => own(e.tags, k) },
    attribute: {
      open: false,
      fields: withAliases(
        [
          field<Experiment>("attribute", "name", "string", STRING_OPS, "string", (e) => e.name),
          field<Experiment>("attribute", "experiment_id", "string", [], "id", (e) => e.experimentId),
          field<Experiment>("attribute", "creation_time", "number", NUMERIC_OPS, "number", (e) => e.creationTime),
          field<Experiment>("attribute", "last_update_time", "number", NUMERIC_OPS, "number", (e) => e.lastUpdateTime),
        ],
        {},
      ),
    },
  },
};

/** Resolves a canonical field reference (as found in an AST) to its spec, or `undefined`. */
export function fieldSpec<T>(schema: SearchSchema<T>, ref: FieldRef): FieldSpec<T> | undefined {
  const entity = schema.entities[ref.entity];
  if (entity === undefined) return undefined;
  if (!entity.open) return ownField(entity, ref.key);
  return { ref, valueType: entity.valueType, operators: entity.operators, sort: entity.sort, get: entity.getter(ref.key) };
}
