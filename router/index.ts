/** The router's public surface: what starts it (the process entry, the stack, tests). */
export { startRouter, type RunningRouter } from "./startRouter";
export { routerEnvironment, type RouterEnvironment } from "./environment";
