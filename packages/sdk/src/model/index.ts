export * from "./json.js";
export * from "./filter.js";
export * from "./scope.js";
export * from "./event.js";
export * from "./action.js";
export * from "./automation.js";
export * from "./template.js";
export * from "./limits.js";
