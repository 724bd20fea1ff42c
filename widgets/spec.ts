/**
 * What every spec builder returns: a plain Vega-Lite v5 spec object (JSON-serialisable, no
 * functions). v5, not v6: JupyterLab 4, Notebook 7 and VS Code render
 * `application/vnd.vegalite.v5+json` and no v6 mime (integration-notes §2), and their bundled
 * vega-lite is 5.6, so the builders use nothing newer than that.
 *
 * @module
 */

/** The `$schema` every spec carries. */
export const VEGA_LITE_V5 = "https://vega.github.io/schema/vega-lite/v5.json";

/** The notebook mime type of a Vega-Lite v5 spec. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/**
 * A Vega-Lite v5 spec as plain data. Typed loosely on purpose: vega-lite's own `TopLevelSpec`
 * type would make the package's public types depend on vega-lite, which notebooks cannot even
 * resolve (integration-notes §1.4); the builders' tests validate every spec against the JSON schema.
 */
export type VegaLiteSpec = { $schema: string; [key: string]: unknown };
