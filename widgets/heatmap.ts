/**
 * Heatmaps (a confusion matrix is one) and image grids, from table and image artifacts.
 *
 * Encoding choices: a heatmap is a grid of rects coloured by value (sequential `blues`, so zero
 * is white) with the value written in each cell, dark cells getting white text; rows run top to
 * bottom in the order given. An image grid places each image in a cell of `columns` per row,
 * its label under it; images are referenced by URL or data URI (the image bytes stay out of the
 * spec's data rows' numbers).
 *
 * @module
 */
import { VEGA_LITE_V5, type VegaLiteSpec } from "./spec.js";

/** Options of {@link heatmapSpec}. */
export type HeatmapOptions = {
  /** Row labels, top to bottom (default "0", "1", …). */
  rowLabels?: readonly string[];
  /** Column labels, left to right (default the row labels when the matrix is square). */
  columnLabels?: readonly string[];
  rowTitle?: string;
  columnTitle?: string;
  title?: string;
  /** Pixels per cell (default 36). */
  cellSize?: number;
};

/**
 * A heatmap of `matrix` (rows of equal length).
 *
 * @example
 * ```ts
 * const spec = heatmapSpec([[50, 2], [3, 45]], { rowLabels: ["cat", "dog"] });
 * ```
 */
export function heatmapSpec(matrix: readonly (readonly number[])[], options: HeatmapOptions = {}): VegaLiteSpec {
  const nRows = matrix.length;
  const nCols = matrix[0]?.length ?? 0;
  if (matrix.some((r) => r.length !== nCols)) throw new RangeError(`Every row of the matrix must have ${nCols} values.`);
  const rowLabels = options.rowLabels ?? Array.from({ length: nRows }, (_, i) => String(i));
  const colLabels = options.columnLabels ?? (nRows === nCols ? rowLabels : Array.from({ length: nCols }, (_, i) => String(i)));
  if (rowLabels.length !== nRows || colLabels.length !== nCols) throw new RangeError(`Expected ${nRows} row labels and ${nCols} column labels.`);
  const cells = matrix.flatMap((row, i) => row.map((value, j) => ({ row: rowLabels[i]!, col: colLabels[j]!, value })));
  const finite = cells.map((c) => c.value).filter(Number.isFinite);
  const mid = finite.length ? (Math.min(...finite) + Math.max(...finite)) / 2 : 0;
  const size = options.cellSize ?? 36;
  return {
    $schema: VEGA_LITE_V5,
    ...(options.title ? { title: options.title } : {}),
    width: size * Math.max(1, nCols),
    height: size * Math.max(1, nRows),
    data: { values: cells },
    encoding: {
      x: { field: "col", type: "ordinal", sort: [...colLabels], title: options.columnTitle ?? null, axis: { orient: "top", labelAngle: 0 } },
      y: { field: "row", type: "ordinal", sort: [...rowLabels], title: options.rowTitle ?? null },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "value", type: "quantitative", scale: { scheme: "blues" }, title: null } } },
      {
        mark: { type: "text", fontSize: 11 },
        encoding: {
          text: { field: "value", type: "quantitative", format: Number.isInteger(mid) && finite.every(Number.isInteger) ? "d" : ".3~g" },
          color: { condition: { test: `datum.value > ${mid}`, value: "white" }, value: "black" },
        },
      },
    ],
    usermeta: { trackbook: { widget: "heatmap", rows: nRows, columns: nCols } },
  };
}

/**
 * A confusion matrix: rows are the actual class, columns the predicted one.
 *
 * @example
 * ```ts
 * const spec = confusionMatrixSpec([[50, 2], [3, 45]], ["cat", "dog"]);
 * ```
 */
export function confusionMatrixSpec(matrix: readonly (readonly number[])[], labels?: readonly string[], title = "confusion matrix"): VegaLiteSpec {
  return heatmapSpec(matrix, { ...(labels ? { rowLabels: labels, columnLabels: labels } : {}), rowTitle: "actual", columnTitle: "predicted", title });
}

/** One image of a grid. */
export type GridImage = { src: string; label?: string };

/**
 * Images in a grid, `columns` per row, each labelled under it.
 *
 * @example
 * ```ts
 * const spec = imageGridSpec(samples.map((s) => ({ src: s.dataUri, label: `pred ${s.pred}` })), { columns: 8 });
 * ```
 */
export function imageGridSpec(images: readonly GridImage[], options: { columns?: number; size?: number; title?: string } = {}): VegaLiteSpec {
  const columns = Math.max(1, options.columns ?? Math.min(8, images.length));
  const size = options.size ?? 96;
  const rows = Math.max(1, Math.ceil(images.length / columns));
  const cells = images.map((im, i) => ({ col: i % columns, row: Math.floor(i / columns), src: im.src, label: im.label ?? "" }));
  const axis = (n: number) => ({ type: "quantitative", axis: null, scale: { domain: [-0.5, n - 0.5] } });
  return {
    $schema: VEGA_LITE_V5,
    ...(options.title ? { title: options.title } : {}),
    width: columns * size,
    height: rows * (size + 16),
    data: { values: cells },
    encoding: { x: { field: "col", ...axis(columns) }, y: { field: "row", ...axis(rows), scale: { domain: [rows - 0.5, -0.5] } } },
    layer: [
      { mark: { type: "image", width: size - 8, height: size - 8 }, encoding: { url: { field: "src", type: "nominal" } } },
      { mark: { type: "text", dy: size / 2, fontSize: 10 }, encoding: { text: { field: "label", type: "nominal" } } },
    ],
    config: { view: { stroke: null } },
    usermeta: { trackbook: { widget: "image-grid", images: images.length } },
  };
}
