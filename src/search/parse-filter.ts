/**
 * Recursive-descent parser for MLflow's filter grammar plus trackbook's OR and parentheses:
 *
 * ```text
 * filter     := or EOF
 * or         := and ("OR" and)*
 * and        := primary ("AND" primary)*
 * primary    := "(" or ")" | comparison
 * comparison := identifier ( numop NUMBER | strop STRING | ["NOT"] "IN" list | "IS" ["NOT"] "NULL" )
 * list       := "(" STRING ("," STRING)* ")"
 * ```
 *
 * Every clause is type-checked against the schema while parsing (comparator allowed for the
 * field, literal of the right type), so a search never fails halfway through its runs.
 *
 * @module
 */
import { invalidParameter } from "../errors.js";
import type { Comparison, FilterExpr, ListOperator, NumericOperator, Operator, StringOperator } from "./ast.js";
import { ENTITY_WORDS, oneOf, searchMessages } from "./messages.js";
import { EXPERIMENT_SCHEMA, type FieldSpec, RUN_SCHEMA, type SearchSchema } from "./fields.js";
import { isIdentifierToken, isKeyword, resolveIdentifier } from "./identifier.js";
import { type Token, tokenize } from "./lexer.js";

/** Words that are never identifiers inside a filter. */
export const FILTER_KEYWORDS = ["AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "IS", "NULL"] as const;

const CTX = "filter";
const CLAUSE = 'a comparison such as metrics.loss < 0.5, or "("';

function fail(tok: Token, expected: string): never {
  throw invalidParameter(searchMessages.expected(CTX, tok.pos, expected, tok.text));
}

function describeField<T>(spec: FieldSpec<T>): string {
  return `${ENTITY_WORDS[spec.ref.entity]} ${JSON.stringify(spec.ref.key)}`;
}

class FilterParser<T> {
  private i = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly schema: SearchSchema<T>,
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const tok = this.tokens[this.i]!;
    if (tok.kind !== "eof") this.i++;
    return tok;
  }

  parse(): FilterExpr {
    const expr = this.parseOr();
    const tok = this.peek();
    if (tok.kind !== "eof") fail(tok, tok.kind === "rparen" ? 'AND, OR or the end of the filter (this ")" has no matching "(")' : "AND, OR or the end of the filter");
    return expr;
  }

  private parseOr(): FilterExpr {
    const operands = [this.parseAnd()];
    while (isKeyword(this.peek(), "OR")) {
      this.next();
      operands.push(this.parseAnd());
    }
    return join("or", operands);
  }

  private parseAnd(): FilterExpr {
    const operands = [this.parsePrimary()];
    while (isKeyword(this.peek(), "AND")) {
      this.next();
      operands.push(this.parsePrimary());
    }
    return join("and", operands);
  }

  private parsePrimary(): FilterExpr {
    const tok = this.peek();
    if (tok.kind !== "lparen") return this.parseComparison();
    this.next();
    const inner = this.parseOr();
    const close = this.peek();
    if (close.kind !== "rparen") fail(close, `AND, OR or ")" to close the "(" at position ${tok.pos}`);
    this.next();
    return inner;
  }

  private parseComparison(): Comparison {
    const idTok = this.peek();
    if (!isIdentifierToken(idTok, FILTER_KEYWORDS)) fail(idTok, CLAUSE);
    this.next();
    const spec = resolveIdentifier(idTok, this.schema, CTX, "filter");
    const opTok = this.peek();
    const op = this.parseOperator(spec);
    if (!spec.operators.includes(op)) {
      throw invalidParameter(searchMessages.operatorNotAllowed(CTX, opTok.pos, op, describeField(spec), spec.operators));
    }
    const base = { field: spec.ref, position: idTok.pos };
    if (op === "IS NULL" || op === "IS NOT NULL") return { kind: "null", ...base, op };
    if (op === "IN" || op === "NOT IN") return { kind: "list", ...base, op: op as ListOperator, values: this.parseList() };
    const valTok = this.next();
    if (spec.valueType === "number") {
      if (valTok.kind !== "number") fail(valTok, `an unquoted number for ${describeField(spec)}, e.g. 0.5 or -2`);
      return { kind: "number", ...base, op: op as NumericOperator, value: valTok.value };
    }
    if (valTok.kind !== "string") {
      const nullHint = isKeyword(valTok, "NULL") && spec.operators.includes("IS NULL") ? " (test for a missing key with IS NULL)" : "";
      fail(valTok, `a quoted string for ${describeField(spec)}, e.g. 'value'${nullHint}`);
    }
    return { kind: "string", ...base, op: op as StringOperator, value: valTok.value };
  }

  private parseOperator(spec: FieldSpec<T>): Operator {
    const tok = this.next();
    if (tok.kind === "op") return tok.op;
    for (const kw of ["LIKE", "ILIKE", "IN"] as const) if (isKeyword(tok, kw)) return kw;
    if (isKeyword(tok, "NOT")) {
      const inTok = this.next();
      if (!isKeyword(inTok, "IN")) fail(inTok, 'IN after NOT (NOT is only allowed in "NOT IN" and "IS NOT NULL")');
      return "NOT IN";
    }
    if (isKeyword(tok, "IS")) {
      let nextTok = this.next();
      const negated = isKeyword(nextTok, "NOT");
      if (negated) nextTok = this.next();
      if (!isKeyword(nextTok, "NULL")) fail(nextTok, negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
      return negated ? "IS NOT NULL" : "IS NULL";
    }
    return fail(tok, `a comparator for ${describeField(spec)} (one of ${oneOf(spec.operators)})`);
  }

  private parseList(): string[] {
    const open = this.next();
    if (open.kind !== "lparen") fail(open, "a parenthesised list of quoted strings, e.g. ('a', 'b')");
    if (this.peek().kind === "rparen") throw invalidParameter(searchMessages.emptyList(CTX, open.pos));
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind !== "string") fail(item, "a quoted string in the list");
      values.push(item.value);
      const sep = this.next();
      if (sep.kind === "rparen") return values;
      if (sep.kind !== "comma") fail(sep, `"," or ")" to close the list opened at position ${open.pos}`);
    }
  }
}

// Flattening `(a OR b) OR c` to one node keeps evaluation shallow; the semantics are the same.
function join(kind: "and" | "or", operands: FilterExpr[]): FilterExpr {
  if (operands.length === 1) return operands[0]!;
  return { kind, operands: operands.flatMap((o) => (o.kind === kind ? o.operands : [o])) };
}

/**
 * Parses `filter` against `schema`. An empty or all-whitespace filter is the empty AND (matches all).
 *
 * @throws TrackerError INVALID_PARAMETER_VALUE naming the position and the offending token.
 */
export function parseFilter<T>(filter: string, schema: SearchSchema<T>): FilterExpr {
  if (typeof filter !== "string") throw invalidParameter(searchMessages.filterNotString(filter));
  const tokens = tokenize(filter, CTX);
  if (tokens.length === 1) return { kind: "and", operands: [] };
  return new FilterParser(tokens, schema).parse();
}

/**
 * Parses a run filter (MLflow's `search_runs` grammar, plus OR and parentheses) into an AST.
 *
 * @example
 * ```ts
 * const ast = parseRunFilter("metrics.loss < 0.5 AND (tags.team = 'vision' OR params.lr = '0.1')");
 * ast.kind; // "and"
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE, e.g. `Invalid filter at position 13: expected
 * an unquoted number for metric "loss", e.g. 0.5 or -2, found "'0.5'".`
 */
export function parseRunFilter(filter: string): FilterExpr {
  return parseFilter(filter, RUN_SCHEMA);
}

/**
 * Parses an experiment filter (MLflow's `search_experiments` grammar, plus OR and parentheses).
 *
 * @example
 * ```ts
 * parseExperimentFilter("name LIKE 'mnist%' AND tags.team = 'vision'");
 * ```
 */
export function parseExperimentFilter(filter: string): FilterExpr {
  return parseFilter(filter, EXPERIMENT_SCHEMA);
}
