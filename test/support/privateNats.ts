import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const natsServerBinary = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

/**
 * A NATS server with JetStream that only this test uses, so the test can stop it and start it
 * again (on the same port and store) without disturbing anything else on the machine.
 */
export class PrivateNats {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    private readonly configFile?: string,
  ) {}

  /**
   * Starts the server; `configuration` is added to its configuration file (an `authorization`
   * block, for instance), beside the port and JetStream store this class sets.
   */
  static async start(options: { configuration?: string } = {}): Promise<PrivateNats> {
    const port = await freePort();
    const storeDir = mkdtempSync(path.join(tmpdir(), "nats-test-"));
    let configFile: string | undefined;
    if (options.configuration) {
      configFile = path.join(storeDir, "nats.conf");
      writeFileSync(
        configFile,
        [`listen: 127.0.0.1:${port}`, `jetstream { store_dir: "${storeDir}" }`, options.configuration].join("\n"),
      );
    }
    const nats = new PrivateNats(port, storeDir, configFile);
    await nats.resume();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    const args = this.configFile
      ? ["-c", this.configFile]
      : ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.storeDir];
    this.process = spawn(natsServerBinary, args, { stdio: "ignore" });
    await waitForPort(this.port, 10_000);
  }

  async pause(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  async destroy(): Promise<void> {
    await this.pause();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
