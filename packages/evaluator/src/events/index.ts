export * from "./schema.js";
export { FastRunMetric } from "./fast.js";
