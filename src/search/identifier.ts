/**
 * Turns an identifier token into a field of a schema, for filters and orderBy alike, so both
 * accept exactly the same spellings and fail with the same messages.
 *
 * @module
 */
import { invalidParameter } from "../errors.js";
import type { EntityType } from "./ast.js";
import { ENTITY_ALIASES, ENTITY_PREFIXES, type FieldSpec, type SearchSchema, fieldSpec, ownField } from "./fields.js";
import type { StringToken, Token, WordToken } from "./lexer.js";
import { searchMessages } from "./messages.js";

/** What the field is for: a filter clause or an orderBy key. */
export type FieldUse = "filter" | "sort";

/** True for a bare, unquoted word spelling `keyword` in any letter case. */
export function isKeyword(tok: Token, keyword: string): tok is WordToken {
  return tok.kind === "word" && !tok.quoted && tok.key === undefined && tok.head.toUpperCase() === keyword;
}

/**
 * True when `tok` can start an identifier: a word that is not one of `keywords`, or a
 * double-quoted string (`"run name"`), which sqlparse, and so MLflow, reads as an identifier.
 */
export function isIdentifierToken(tok: Token, keywords: readonly string[]): tok is WordToken | StringToken {
  if (tok.kind === "string") return tok.quote === '"';
  return tok.kind === "word" && !keywords.some((k) => isKeyword(tok, k));
}

function usable<T>(spec: FieldSpec<T>, use: FieldUse): boolean {
  return use === "filter" ? spec.operators.length > 0 : spec.sort !== undefined;
}

function entityUsable<T>(schema: SearchSchema<T>, entity: EntityType, use: FieldUse): boolean {
  const rule = schema.entities[entity];
  if (rule === undefined) return false;
  if (rule.open) return use === "filter" ? rule.operators.length > 0 : rule.sort !== undefined;
  return Object.values(rule.fields).some((f) => usable(f, use));
}

function validPrefixes<T>(schema: SearchSchema<T>, use: FieldUse): string[] {
  return (Object.keys(ENTITY_PREFIXES) as EntityType[])
    .filter((e) => entityUsable(schema, e, use))
    .map((e) => ENTITY_PREFIXES[e]);
}

function validKeys<T>(schema: SearchSchema<T>, entity: EntityType, use: FieldUse): string[] {
  const rule = schema.entities[entity];
  if (rule === undefined || rule.open) return [];
  // Canonical names only: aliases map to the same spec object under a different key.
  return Object.entries(rule.fields)
    .filter(([k, f]) => f.ref.key === k && usable(f, use))
    .map(([k]) => k);
}

/**
 * Resolves `tok` to a field of `schema` usable for `use`.
 *
 * @throws TrackerError INVALID_PARAMETER_VALUE for an unknown type prefix, an unknown attribute,
 * an empty key, or a field that cannot be used this way (e.g. sorting by a dataset field).
 */
export function resolveIdentifier<T>(
  tok: WordToken | StringToken,
  schema: SearchSchema<T>,
  ctx: string,
  use: FieldUse,
): FieldSpec<T> {
  let entity: EntityType;
  let key: string;
  let prefix: string;
  if (tok.kind === "string" || tok.key === undefined) {
    entity = "attribute";
    key = tok.kind === "string" ? tok.value : tok.head;
    prefix = ENTITY_PREFIXES.attribute;
  } else {
    prefix = tok.head;
    // MLflow compares type names as written; lower-casing accepts `METRICS.x` as well, keys stay exact.
    const lower = tok.head.toLowerCase();
    const found = Object.hasOwn(ENTITY_ALIASES, lower) ? ENTITY_ALIASES[lower] : undefined;
    if (found === undefined) {
      throw invalidParameter(searchMessages.unknownEntity(ctx, tok.pos, tok.head, validPrefixes(schema, use)));
    }
    entity = found;
    key = tok.key;
  }
  const useText = `${use === "filter" ? "in a filter" : "in orderBy"} of ${schema.subject}s`;
  if (!entityUsable(schema, entity, use)) {
    throw invalidParameter(searchMessages.unsupportedEntity(ctx, tok.pos, prefix, useText, validPrefixes(schema, use)));
  }
  const rule = schema.entities[entity]!;
  if (rule.open) {
    if (key === "") throw invalidParameter(searchMessages.missingKey(ctx, tok.pos, prefix, tok.text));
    return fieldSpec(schema, { entity, key })!;
  }
  const spec = ownField(rule, key);
  if (spec === undefined || !usable(spec, use)) {
    const bare = tok.kind === "string" || tok.key === undefined;
    const hint = !bare
      ? ""
      : schema.subject === "run"
        ? searchMessages.runAttributeHint
        : searchMessages.experimentAttributeHint;
    const what = entity === "dataset" ? "dataset field" : "attribute";
    throw invalidParameter(searchMessages.unknownKey(ctx, tok.pos, what, key, validKeys(schema, entity, use), hint));
  }
  return spec;
}
