import { describe, expect, it } from "vitest";
import type { Experiment, SearchExperimentsQuery } from "../../src/entities.js";
import { compileExperimentOrderBy, searchExperimentsIn, searchRunsIn } from "../../src/search/index.js";
import { catchTrackerError, makeExperiment, RUNS } from "./fixtures.js";

const EXPERIMENTS: readonly Experiment[] = [
  makeExperiment("0", { name: "Default", created: 100 }),
  makeExperiment("1", { name: "mnist-cnn", created: 300, updated: 900, tags: { team: "vision" } }),
  makeExperiment("2", { name: "MNIST-mlp", created: 300, updated: 500, tags: { team: "vision", owner: "bob" } }),
  makeExperiment("10", { name: "imdb", created: 200, tags: { team: "nlp" } }),
  makeExperiment("9", { name: "old_mnist", created: 50, stage: "deleted", tags: { team: "vision" } }),
  makeExperiment("3", { name: "cifar.10 (v2)", created: 400 }),
];

function search(query: SearchExperimentsQuery = {}): string[] {
  return searchExperimentsIn(EXPERIMENTS, query).experiments.map((e) => e.name);
}

describe("search/experiment-search", () => {
  it("orders by creation_time DESC, then experiment_id ASC, and shows active experiments by default", () => {
    expect(search()).toEqual(["cifar.10 (v2)", "mnist-cnn", "MNIST-mlp", "imdb", "Default"]);
  });

  it("honours each view type", () => {
    expect(search({ viewType: "DELETED_ONLY" })).toEqual(["old_mnist"]);
    expect(search({ viewType: "ALL" })).toHaveLength(6);
    expect(search({ viewType: "ALL" }).at(-1)).toBe("old_mnist");
  });

  it.each([
    ["name LIKE 'mnist%'", ["mnist-cnn"]],
    ["name ILIKE 'mnist%'", ["mnist-cnn", "MNIST-mlp"]],
    ["attributes.name ILIKE '%MNIST%'", ["mnist-cnn", "MNIST-mlp"]],
    ["name LIKE 'cifar.10 (v2)'", ["cifar.10 (v2)"]],
    ["name LIKE 'cifar_10%'", ["cifar.10 (v2)"]],
    ["name = 'imdb'", ["imdb"]],
    ["name != 'imdb'", ["cifar.10 (v2)", "mnist-cnn", "MNIST-mlp", "Default"]],
    ["creation_time >= 300", ["cifar.10 (v2)", "mnist-cnn", "MNIST-mlp"]],
    ["creation_time < 200", ["Default"]],
    ["last_update_time = 900", ["mnist-cnn"]],
    ["tags.team = 'vision'", ["mnist-cnn", "MNIST-mlp"]],
    ["tag.team != 'vision'", ["imdb"]],
    ["tags.team LIKE 'n%'", ["imdb"]],
    ["tags.team ILIKE 'VISION'", ["mnist-cnn", "MNIST-mlp"]],
    ["tags.owner IS NULL", ["cifar.10 (v2)", "mnist-cnn", "imdb", "Default"]],
    ["tags.owner IS NOT NULL", ["MNIST-mlp"]],
    ["tags.team = 'nlp' OR name LIKE 'cifar%'", ["cifar.10 (v2)", "imdb"]],
    ["(tags.team = 'nlp' OR tags.team = 'vision') AND creation_time > 250", ["mnist-cnn", "MNIST-mlp"]],
    ["tags.team = 'nlp' OR tags.team = 'vision' AND creation_time > 250", ["mnist-cnn", "MNIST-mlp", "imdb"]],
  ])("filters with %s", (filter, expected) => {
    expect(search({ filter })).toEqual(expected);
  });

  it("sorts names by code point", () => {
    expect(search({ orderBy: ["name"] })).toEqual(["Default", "MNIST-mlp", "cifar.10 (v2)", "imdb", "mnist-cnn"]);
    expect(search({ orderBy: ["name DESC"] })).toEqual(["mnist-cnn", "imdb", "cifar.10 (v2)", "MNIST-mlp", "Default"]);
  });

  it("sorts experiment ids by magnitude", () => {
    const ids = (orderBy: string[]) => searchExperimentsIn(EXPERIMENTS, { orderBy }).experiments.map((e) => e.experimentId);
    expect(ids(["experiment_id"])).toEqual(["0", "1", "2", "3", "10"]);
    expect(ids(["experiment_id DESC"])).toEqual(["10", "3", "2", "1", "0"]);
  });

  it("breaks ties with the base order", () => {
    expect(search({ orderBy: ["last_update_time DESC"] })).toEqual(["mnist-cnn", "MNIST-mlp", "cifar.10 (v2)", "imdb", "Default"]);
    expect(search({ orderBy: ["creation_time ASC"] })).toEqual(["Default", "imdb", "mnist-cnn", "MNIST-mlp", "cifar.10 (v2)"]);
  });

  it.each([["tags.team"], ["metrics.loss"], ["bogus"], ["name sideways"], ["run_id"]])("rejects orderBy %s", (entry) => {
    const err = catchTrackerError(() => compileExperimentOrderBy([entry]));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toMatch(/position \d+/);
  });

  it("pages through every experiment exactly once", () => {
    const whole = search({ viewType: "ALL" });
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = searchExperimentsIn(EXPERIMENTS, { viewType: "ALL", maxResults: 4, ...(pageToken ? { pageToken } : {}) });
      seen.push(...page.experiments.map((e) => e.name));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(seen).toEqual(whole);
  });

  it("rejects a page token from another search", () => {
    const token = searchExperimentsIn(EXPERIMENTS, { maxResults: 1 }).nextPageToken!;
    const err = catchTrackerError(() => searchExperimentsIn(EXPERIMENTS, { maxResults: 1, filter: "name LIKE '%'", pageToken: token }));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    const runToken = searchRunsIn(RUNS, { experimentIds: ["1"], maxResults: 1 }).nextPageToken!;
    expect(catchTrackerError(() => searchExperimentsIn(EXPERIMENTS, { pageToken: runToken })).code).toBe("INVALID_PARAMETER_VALUE");
  });

  it("rejects bad view types and maxResults", () => {
    expect(catchTrackerError(() => searchExperimentsIn(EXPERIMENTS, { viewType: "EVERYTHING" as "ALL" })).code).toBe("INVALID_PARAMETER_VALUE");
    expect(catchTrackerError(() => searchExperimentsIn(EXPERIMENTS, { maxResults: 0 })).code).toBe("INVALID_PARAMETER_VALUE");
  });
});
