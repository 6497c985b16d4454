/**
 * The servers the stack needs on the machine, where each is expected, and how each is started
 * when it is not running: by Docker Compose (docker-compose.yml), or from the machine's own
 * binaries, as on the Debian machines this project is built on (docs/toolchain.md).
 */
export const infrastructureNames = ["postgres", "redis", "nats", "mailpit"] as const;
export type InfrastructureName = (typeof infrastructureNames)[number];

export interface Infrastructure {
  name: InfrastructureName;
  /** As people call it. */
  label: string;
  /** The variable that says where it is, and where it is by default. */
  urlVariable: string;
  defaultUrl: string;
  /** Without it nothing works; an optional one has a fallback, said here. */
  required: boolean;
  otherwise?: string;
  /** What to install when neither Docker nor the binary is there. */
  install: string;
}

export const infrastructure: Record<InfrastructureName, Infrastructure> = {
  postgres: {
    name: "postgres",
    label: "PostgreSQL",
    urlVariable: "POSTGRES_URL",
    defaultUrl: "postgres://postgres@127.0.0.1:5432",
    required: true,
    install: "PostgreSQL 15 (Debian: apt-get install postgresql)",
  },
  redis: {
    name: "redis",
    label: "Redis",
    urlVariable: "REDIS_URL",
    defaultUrl: "redis://127.0.0.1:6379",
    required: true,
    install: "Redis 7 (Debian: apt-get install redis-server)",
  },
  nats: {
    name: "nats",
    label: "NATS with JetStream",
    urlVariable: "NATS_URL",
    defaultUrl: "nats://127.0.0.1:4222",
    required: true,
    install: "nats-server 2.9 or newer (Debian: apt-get install nats-server)",
  },
  mailpit: {
    name: "mailpit",
    label: "Mailpit (the mail catcher)",
    urlVariable: "SMTP_URL",
    defaultUrl: "smtp://127.0.0.1:1025",
    required: false,
    otherwise: "in development, email goes to the log instead",
    install: "Docker, for Mailpit",
  },
};

/** Where a server is expected: host and port, from its URL variable or the default. */
export function addressOf(
  server: Infrastructure,
  env: NodeJS.ProcessEnv = process.env,
): { host: string; port: number; local: boolean } {
  const url = new URL(env[server.urlVariable] || server.defaultUrl);
  const defaultPorts: Record<string, number> = { "postgres:": 5432, "redis:": 6379, "nats:": 4222, "smtp:": 25 };
  const host = url.hostname;
  return {
    host,
    port: Number(url.port) || defaultPorts[url.protocol] || 0,
    local: host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]",
  };
}
