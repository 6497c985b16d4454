import pino, { type Logger } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
}

/** The process's root logger; modules take a `child({ module })` of it. */
export function createLogger(service: string, options: LoggerOptions): Logger {
  return pino({
    name: service,
    level: options.level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["req.headers.authorization", "*.password", "*.token"], censor: "[redacted]" },
    ...(options.pretty
      ? { transport: { target: "pino-pretty", options: { singleLine: true, ignore: "pid,hostname" } } }
      : {}),
  });
}
