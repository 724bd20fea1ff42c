/**
 * Generated run names in MLflow's style (`bold-owl-123`), used when a run is started without one.
 *
 * @module
 */

const ADJECTIVES = [
  "able", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fair", "fast", "fierce",
  "gentle", "glad", "grand", "honest", "keen", "kind", "lively", "loud", "lucky", "merry", "neat", "nimble",
  "polite", "proud", "quick", "quiet", "rare", "sharp", "shy", "silent", "smart", "stark", "sunny", "swift",
  "tidy", "vast", "warm", "wise", "witty", "zesty",
];
const NOUNS = [
  "ant", "bass", "bat", "bear", "bee", "boar", "carp", "cat", "colt", "crab", "crow", "deer", "dove", "eel",
  "elk", "finch", "fox", "frog", "goat", "gull", "hare", "hawk", "hen", "ibis", "jay", "koi", "lark", "lynx",
  "mink", "mole", "moth", "newt", "owl", "ox", "panda", "pig", "ram", "seal", "slug", "snail", "swan", "toad",
  "vole", "wasp", "whale", "wolf", "wren", "yak",
];

/** A random name such as `swift-owl-417`. */
export function generateRunName(): string {
  const r = globalThis.crypto.getRandomValues(new Uint32Array(3));
  return `${ADJECTIVES[r[0]! % ADJECTIVES.length]}-${NOUNS[r[1]! % NOUNS.length]}-${r[2]! % 1000}`;
}
