/**
 * Browser commands (they run in Node, beside Playwright) that let a browser test drive other
 * pages of the same browser context: same origin, so the same IndexedDB, like tabs of one
 * profile. Registered in vitest.config.ts; browser tests call them through `commands`.
 */
import type { BrowserCommandContext } from "vitest/node";

type Page = BrowserCommandContext["page"];

const pages = new Map<string, { page: Page; errors: string[] }>();
let next = 0;

function get(id: string) {
  const p = pages.get(id);
  if (!p) throw new Error(`No page ${id} is open.`);
  return p;
}

export const pageCommands = {
  /** Opens `path` (on the test server's origin) in a new page; returns its id. */
  async openPage(ctx: BrowserCommandContext, path: string): Promise<string> {
    const page = await ctx.context.newPage();
    const id = `page-${next++}`;
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    pages.set(id, { page, errors });
    await page.goto(new URL(path, new URL(ctx.page.url()).origin).href);
    return id;
  },
  /** Evaluates `expression` in the page and returns its (JSON-able) value. */
  async evalInPage(_ctx: BrowserCommandContext, id: string, expression: string): Promise<unknown> {
    return get(id).page.evaluate(expression);
  },
  /** Waits until `expression` is truthy in the page; rejects with the page's errors if it never is. */
  async waitInPage(_ctx: BrowserCommandContext, id: string, expression: string, timeoutMs: number): Promise<void> {
    const p = get(id);
    try {
      await p.page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 50 });
    } catch (e) {
      throw new Error(`${String(e)}\npage errors: ${p.errors.join("\n") || "none"}`);
    }
  },
  /** Reloads the page and waits for its load event. */
  async reloadPage(_ctx: BrowserCommandContext, id: string): Promise<void> {
    await get(id).page.reload({ waitUntil: "load" });
  },
  /** Closes the page. */
  async closePage(_ctx: BrowserCommandContext, id: string): Promise<void> {
    const p = pages.get(id);
    pages.delete(id);
    await p?.page.close();
  },
};

/** The commands as a browser test sees them (the context argument is filled in by vitest). */
export type PageCommands = {
  [K in keyof typeof pageCommands]: (typeof pageCommands)[K] extends (ctx: BrowserCommandContext, ...args: infer A) => infer R ? (...args: A) => R : never;
};
