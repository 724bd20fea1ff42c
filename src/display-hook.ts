/**
 * How a run or a search result draws itself when it is a notebook cell's last value.
 *
 * tslab shows a cell's last value through Node's `util.inspect`, which calls an object's
 * `Symbol.for("nodejs.util.inspect.custom")` method (integration-notes §1.2). The tracker marks
 * what it returns with {@link displayable}; `trackbook/widgets`, once loaded in a kernel, installs
 * the hook that turns such a value into a chart or table output. Without the hook, the value
 * inspects as the plain data it is.
 *
 * The hook lives on `globalThis` under a registered symbol: `trackbook` and `trackbook/widgets`
 * are separate bundles for CommonJS, each with its own copy of this module.
 *
 * @module
 */

/** What a displayable value is. */
export type DisplayKind = "run" | "runs";

/** Draws `value` (somewhere else) and returns the text that stands for it, or undefined to decline. */
export type DisplayHook = (value: object, kind: DisplayKind) => string | undefined;

const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const HOOK = Symbol.for("trackbook.displayHook");

/** Installs (or, with undefined, removes) the display hook. */
export function setDisplayHook(hook: DisplayHook | undefined): void {
  (globalThis as Record<symbol, unknown>)[HOOK] = hook;
}

/**
 * Marks `value` so that, inspected (as a notebook does with a cell's last value), it is drawn by
 * the display hook when one is installed. The mark is a non-enumerable symbol: JSON, structured
 * clone and spreading see the same plain data as before.
 */
export function displayable<T extends object>(value: T, kind: DisplayKind): T {
  Object.defineProperty(value, INSPECT, {
    enumerable: false,
    configurable: true,
    value(this: T, _depth: number, options: object, inspect: (v: unknown, o: object) => string): string {
      const hook = (globalThis as Record<symbol, DisplayHook | undefined>)[HOOK];
      return hook?.(this, kind) ?? inspect({ ...this }, options);
    },
  });
  return value;
}
