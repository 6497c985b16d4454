/**
 * The PostgreSQL backends' CPU per statement and protocol message (parse, bind: planning,
 * execute, simple query), from a server log written with `log_statement_stats` on for the
 * bench's own sessions only (no server setting changes: the services' `pg` connections take
 * it from PGOPTIONS):
 *
 *   PGOPTIONS="-c log_statement_stats=on -c log_parameter_max_length=0" \
 *     BENCH_OUTPUT=inherit BENCH_RUNS=1 BENCH_SECONDS=25 npx tsx bench/checkout.ts
 *   npx tsx bench/backendMessageCost.ts <server log> <from HH:MM:SS> <to HH:MM:SS> <orders in the window>
 *
 * Logging every message slows the whole stack (each figure is inflated, the shares hold). Per
 * database it also prints the backends' CPU outside any message (commits of single statements,
 * reading the socket), from the running totals the log carries.
 */
import { readFileSync } from "node:fs";
import { runStandalone } from "./standalone";

const [file, from, to, ordersArgument] = process.argv.slice(2);
const orders = Number(ordersArgument ?? 1);
const top = Number(process.env.TOP ?? 40);

interface Entry {
  time: string;
  pid: string;
  database: string;
  level: string;
  text: string;
}

const header = /^\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d)\.\d+ UTC \[(\d+)\] \S*@(\S*) (\w+): {2}(.*)$/;

/** The log's entries (a line with the prefix and its continuation lines), in the window and of bench databases. */
function entriesOf(text: string): Entry[] {
  const entries: Entry[] = [];
  let current: Entry | undefined;
  for (const line of text.split("\n")) {
    const match = header.exec(line);
    if (match) {
      const [, time, pid, database, level, rest] = match as unknown as [string, string, string, string, string, string];
      current = { time, pid, database, level, text: rest };
      if (time >= from! && time < to! && database.startsWith("bench")) entries.push(current);
      else current = undefined;
    } else if (current) current.text += `\n${line}`;
  }
  return entries;
}

const seconds = (text: string, pattern: RegExp) => {
  const match = pattern.exec(text);
  return match ? Number(match[1]) + Number(match[2]) : 0;
};

interface Cost {
  count: number;
  cpu: number;
}

function main(): Promise<void> {
  if (!file || !from || !to) throw new Error("usage: backendMessageCost.ts <log> <from> <to> <orders>");
  const byStatement = new Map<string, Cost>();
  const totals = new Map<string, { database: string; first: number; last: number }>();
  let pending: { kind: string; cpu: number; pid: string } | undefined;
  for (const entry of entriesOf(readFileSync(file, "utf8"))) {
    if (entry.level === "LOG" && entry.text.endsWith("STATISTICS")) {
      pending = { kind: entry.text.split(" ")[0]!, cpu: Number.NaN, pid: entry.pid };
    } else if (entry.level === "DETAIL" && pending?.pid === entry.pid && Number.isNaN(pending.cpu)) {
      pending.cpu = seconds(entry.text, /([\d.]+) s user, ([\d.]+) s system, [\d.]+ s elapsed/);
      const total = seconds(entry.text, /\[([\d.]+) s user, ([\d.]+) s system total\]/);
      const seen = totals.get(entry.pid) ?? { database: entry.database, first: total - pending.cpu, last: total };
      seen.last = total;
      totals.set(entry.pid, seen);
    } else if (entry.level === "STATEMENT" && pending?.pid === entry.pid) {
      const key = `${entry.database.replace(/^bench_/, "")} ${pending.kind.padEnd(7)} ${entry.text.replace(/\s+/g, " ").slice(0, 90)}`;
      const cost = byStatement.get(key) ?? { count: 0, cpu: 0 };
      cost.count += 1;
      cost.cpu += pending.cpu;
      byStatement.set(key, cost);
      pending = undefined;
    }
  }
  const perOrder = (cpuSeconds: number) => ((cpuSeconds * 1000) / orders).toFixed(3).padStart(7);
  const inMessages = new Map<string, number>();
  for (const [key, cost] of byStatement) {
    const database = `bench_${key.split(" ")[0]}`;
    inMessages.set(database, (inMessages.get(database) ?? 0) + cost.cpu);
  }
  const backends = new Map<string, number>();
  for (const { database, first, last } of totals.values())
    backends.set(database, (backends.get(database) ?? 0) + last - first);
  console.log("backend CPU ms per order: all, in messages");
  for (const [database, cpu] of backends)
    console.log(`${database.padEnd(20)} ${perOrder(cpu)} ${perOrder(inMessages.get(database) ?? 0)}`);
  console.log("ms/order  µs/message  messages/order  database kind statement");
  for (const [key, cost] of [...byStatement].sort((a, b) => b[1].cpu - a[1].cpu).slice(0, top))
    console.log(
      `${perOrder(cost.cpu)} ${((cost.cpu * 1e6) / cost.count).toFixed(0).padStart(8)} ${(cost.count / orders).toFixed(2).padStart(8)}  ${key}`,
    );
  return Promise.resolve();
}

runStandalone(main);
