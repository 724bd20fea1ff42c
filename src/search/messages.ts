/**
 * Every user-facing text of the search module, in one catalogue (like `validation.ts`'s
 * `messages`), so tests can compare against a builder and wording changes happen in one place.
 *
 * Syntax messages all share one shape: where (`Invalid filter at position 17`), what was
 * expected, and what was found. `ctx` names the input being parsed: `"filter"` or
 * `orderBy entry 1 ("metrics.x DOWN")`.
 *
 * @module
 */
import { describe } from "../validation.js";

/** How the parser names a token it did not expect: its source text, quoted, or the end. */
export function foundText(text: string | undefined): string {
  return text === undefined ? "the end of the input" : describe(text);
}

/** Joins choices for a message: `a, b or c`. */
export function oneOf(choices: readonly string[]): string {
  if (choices.length <= 1) return choices.join("");
  return `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
}

const at = (ctx: string, pos: number) => `Invalid ${ctx} at position ${pos}`;

/** Message builders for filter and orderBy parsing, page tokens and query shape. */
export const searchMessages = {
  expected: (ctx: string, pos: number, expected: string, found: string | undefined) =>
    `${at(ctx, pos)}: expected ${expected}, found ${foundText(found)}.`,
  unexpectedChar: (ctx: string, pos: number, ch: string, inKey: boolean) =>
    `${at(ctx, pos)}: unexpected character ${describe(ch)}; expected ${inKey ? "a comparator after the key. Quote keys that contain special characters with backticks, e.g. metrics.`train/loss`" : "an identifier, a comparator, a quoted string, a number, a parenthesis or a comma"}.`,
  unclosed: (ctx: string, pos: number, what: string, text: string, quote: string) =>
    `${at(ctx, pos)}: unclosed ${what} ${describe(text)}; expected a closing ${quote}.`,
  badOperator: (ctx: string, pos: number, text: string, instead: string) =>
    `${at(ctx, pos)}: unknown comparator ${describe(text)}; expected ${describe(instead)} instead.`,
  badNumber: (ctx: string, pos: number, text: string) =>
    `${at(ctx, pos)}: malformed number ${describe(text)}; expected digits with an optional sign, decimal point and exponent, e.g. -2, 0.5 or 1e-3.`,
  missingKey: (ctx: string, pos: number, prefix: string, found: string | undefined) =>
    `${at(ctx, pos)}: expected a key after ${describe(prefix + ".")}, found ${foundText(found)}. Quote keys that contain special characters with backticks.`,
  unknownEntity: (ctx: string, pos: number, prefix: string, valid: readonly string[]) =>
    `${at(ctx, pos)}: unknown entity type ${describe(prefix)}; expected one of ${oneOf(valid)} followed by a dot and a key.`,
  unsupportedEntity: (ctx: string, pos: number, prefix: string, use: string, valid: readonly string[]) =>
    `${at(ctx, pos)}: ${describe(prefix + ".")} fields cannot be used ${use}; expected one of ${oneOf(valid)}.`,
  unknownKey: (ctx: string, pos: number, entity: string, key: string, valid: readonly string[], hint: string) =>
    `${at(ctx, pos)}: unknown ${entity} ${describe(key)}; expected one of ${oneOf(valid)}.${hint}`,
  runAttributeHint: " Metrics, params and tags need a prefix, e.g. metrics.loss, params.lr or tags.team.",
  experimentAttributeHint: " Tags need a prefix, e.g. tags.team.",
  operatorNotAllowed: (ctx: string, pos: number, op: string, field: string, allowed: readonly string[]) =>
    `${at(ctx, pos)}: comparator ${describe(op)} cannot be used with ${field}; expected one of ${oneOf(allowed)}.`,
  emptyList: (ctx: string, pos: number) =>
    `${at(ctx, pos)}: empty list; expected at least one quoted string, e.g. ('a', 'b').`,
  filterNotString: (filter: unknown) => `Invalid filter ${describe(filter)}: expected a string.`,
  orderByNotArray: (orderBy: unknown) =>
    `Invalid orderBy ${describe(orderBy)}: expected an array of strings such as ["metrics.loss ASC"].`,
  orderByEntryNotString: (index: number, entry: unknown) =>
    `Invalid orderBy entry ${index} ${describe(entry)}: expected a string such as "metrics.loss ASC".`,
  experimentIds: (ids: unknown) =>
    `Invalid experimentIds ${describe(ids)}: expected an array of experiment id strings such as ["0"].`,
  pageTokenMalformed: (token: string) =>
    `Invalid page token ${describe(token)}: it is not a token this search returned. Pass back nextPageToken unchanged, or omit pageToken to start from the first page.`,
  pageTokenMismatch: () =>
    "Invalid page token: it belongs to a different search (the filter, orderBy, experiment ids or view type changed). Omit pageToken to start this search from the first page.",
} as const;

/** Names for the kinds of thing a key can name, used as `metric "loss"` in messages. */
export const ENTITY_WORDS = {
  metric: "metric",
  param: "param",
  tag: "tag",
  attribute: "attribute",
  dataset: "dataset field",
} as const;
