export * from "./scope.js";
export * from "./filter.js";
export * from "./metric.js";
export * from "./event.js";
export * from "./action.js";
export * from "./automation.js";
