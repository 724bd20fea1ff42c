/**
 * Tokenizer shared by filters and orderBy entries.
 *
 * An identifier such as ``tags.mlflow.user``, ``metrics.`train/loss` `` or ``params."lr"`` is
 * scanned as ONE `word` token, split at its first dot: MLflow splits there too, and scanning it
 * whole is what lets a double-quoted key after a dot mean a key while a double-quoted string
 * elsewhere means a value. Keywords (AND, OR, LIKE, …) are plain words; the parser decides.
 *
 * @module
 */
import { invalidParameter } from "../errors.js";
import { searchMessages } from "./messages.js";

/** An identifier or keyword: `head` before the first dot, `key` after it. */
export type WordToken = {
  kind: "word";
  text: string;
  pos: number;
  /** The part before the first dot, unquoted. */
  head: string;
  /** True when `head` was backtick-quoted, so it can never be a keyword. */
  quoted: boolean;
  /** The part after the first dot, unquoted; absent for a bare word. */
  key?: string;
};

/** A single- or double-quoted string, escapes resolved. */
export type StringToken = { kind: "string"; text: string; pos: number; value: string; quote: "'" | '"' };

/** An unquoted number. */
export type NumberToken = { kind: "number"; text: string; pos: number; value: number };

/** A symbolic comparator. */
export type OpToken = { kind: "op"; text: string; pos: number; op: "=" | "!=" | "<" | "<=" | ">" | ">=" };

/** Punctuation, or the end of input (whose `text` is `undefined` and `pos` the input length). */
export type PunctToken =
  | { kind: "lparen" | "rparen" | "comma"; text: string; pos: number }
  | { kind: "eof"; text: undefined; pos: number };

/** Any token. */
export type Token = WordToken | StringToken | NumberToken | OpToken | PunctToken;

// Python's `\w` is Unicode-aware, so identifier characters are letters, digits and `_` of any script.
const WORD_CHAR = /^[\p{L}\p{N}\p{M}_]$/u;
const WORD_START = /^[\p{L}_]$/u;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const OPS = ["!=", "<=", ">=", "=", "<", ">"] as const;
// SQL and C spellings users try; MLflow rejects them too, so name the accepted one.
const WRONG_OPS: readonly (readonly [string, string])[] = [["==", "="], ["<>", "!="]];

function codePointAt(src: string, i: number): string {
  const cp = src.codePointAt(i);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

function isWordChar(src: string, i: number): boolean {
  return i < src.length && WORD_CHAR.test(codePointAt(src, i));
}

/**
 * Splits `src` into tokens, ending with an `eof` token.
 * `ctx` names the input in error messages (`"filter"`, `orderBy entry 0 (…)`).
 *
 * @throws TrackerError INVALID_PARAMETER_VALUE on an unclosed quote, a malformed number or a
 * character outside the grammar, naming its position.
 */
export function tokenize(src: string, ctx: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: ch === "(" ? "lparen" : ch === ")" ? "rparen" : "comma", text: ch, pos: start });
      i++;
      continue;
    }
    const wrong = WRONG_OPS.find(([w]) => src.startsWith(w, i));
    if (wrong !== undefined) throw invalidParameter(searchMessages.badOperator(ctx, start, wrong[0], wrong[1]));
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: "op", text: op, pos: start, op });
      i += op.length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const [value, end] = scanQuoted(src, i, ch, ctx, "string");
      tokens.push({ kind: "string", text: src.slice(start, end), pos: start, value, quote: ch });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num !== null) {
      let end = i + num[0].length;
      if (isWordChar(src, end) || src[end] === ".") {
        while (isWordChar(src, end) || src[end] === ".") end++;
        throw invalidParameter(searchMessages.badNumber(ctx, start, src.slice(start, end)));
      }
      tokens.push({ kind: "number", text: num[0], pos: start, value: Number(num[0]) });
      i = end;
      continue;
    }
    if (ch === "`" || WORD_START.test(codePointAt(src, i))) {
      const word = scanWord(src, i, ctx);
      tokens.push(word);
      i = start + word.text.length;
      continue;
    }
    // Right after an identifier, a stray character is most likely part of an unquoted key.
    const last = tokens[tokens.length - 1];
    const inKey = last !== undefined && last.kind === "word" && last.pos + last.text.length === start;
    throw invalidParameter(searchMessages.unexpectedChar(ctx, start, codePointAt(src, i), inKey));
  }
  tokens.push({ kind: "eof", text: undefined, pos: src.length });
  return tokens;
}

/** Scans an identifier starting at `start`: a head, then optionally `.` and a key. */
function scanWord(src: string, start: number, ctx: string): WordToken {
  let i = start;
  let head: string;
  const quoted = src[i] === "`";
  if (quoted) {
    [head, i] = scanQuoted(src, i, "`", ctx, "quoted identifier");
  } else {
    while (isWordChar(src, i)) i += codePointAt(src, i).length;
    head = src.slice(start, i);
  }
  if (src[i] !== ".") return { kind: "word", text: src.slice(start, i), pos: start, head, quoted };
  const keyStart = ++i;
  const q = src[i];
  let key: string;
  if (q === "`" || q === '"') {
    [key, i] = scanQuoted(src, i, q, ctx, "quoted key");
  } else {
    // A bare key may itself contain dots (`tags.mlflow.user`): only the first dot splits.
    while (isWordChar(src, i) || src[i] === ".") i += codePointAt(src, i).length;
    key = src.slice(keyStart, i);
    if (key === "") {
      const found = i < src.length ? codePointAt(src, i) : undefined;
      throw invalidParameter(searchMessages.missingKey(ctx, keyStart, head, found));
    }
  }
  return { kind: "word", text: src.slice(start, i), pos: start, head, quoted, key };
}

/**
 * Scans a quoted run starting at the opening quote; returns the unescaped content and the index
 * after the closing quote. A doubled quote stands for itself (SQL style), and a backslash escapes
 * a quote or a backslash; any other backslash is kept, so Windows paths need no doubling.
 */
function scanQuoted(src: string, start: number, quote: string, ctx: string, what: string): [string, number] {
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === "\\" && (src[i + 1] === quote || src[i + 1] === "\\")) {
      out += src[i + 1];
      i += 2;
    } else if (ch === quote) {
      if (src[i + 1] !== quote) return [out, i + 1];
      out += quote;
      i += 2;
    } else {
      out += ch;
      i++;
    }
  }
  const excerpt = src.slice(start, start + 30) + (src.length - start > 30 ? "…" : "");
  throw invalidParameter(searchMessages.unclosed(ctx, start, what, excerpt, quote));
}
