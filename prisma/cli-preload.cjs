// Loaded into every Prisma CLI process (`node -r`, see subgraphs/common/database/prismaCli.ts).
// Prisma 6.19's WebAssembly schema engine arms a 10-second lock timeout and leaves it armed after
// `migrate deploy` has finished, so each deploy took 10 s longer than its work. Long timers are
// unref'ed: they still fire while the CLI waits on the database, but no longer keep it alive.
"use strict";
const setTimeoutOriginal = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(callback, ms, ...args) {
  const timer = setTimeoutOriginal(callback, ms, ...args);
  if (ms >= 5000 && typeof timer.unref === "function") timer.unref();
  return timer;
};
