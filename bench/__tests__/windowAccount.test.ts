import { accountWindow, median, medianOf, type Attribution, type WindowSample } from "../windowAccount";
import { parsePrometheus, workCountsOf, type WorkCounts } from "../workCounters";

const noWork: WorkCounts = workCountsOf("");
const attribution: Attribution = {
  perOrder: ["orders", "postgres (bench backends)"],
  alsoAttributed: ["postgres (whole server)", "load generator"],
  within: { "postgres (bench backends)": "postgres (whole server)" },
};

function sample(
  at: number,
  cpu: Record<string, number>,
  machine: { busy: number; total: number; steal?: number },
  work = noWork,
): WindowSample {
  return {
    at,
    cpuSeconds: cpu,
    machine: { busySeconds: machine.busy, totalSeconds: machine.total, stealSeconds: machine.steal ?? 0 },
    work: { orders: work },
  };
}

describe("the bench's accounting of a steady window", () => {
  it("divides each process's CPU by the orders confirmed in the window and sums the platform's", () => {
    const from = sample(
      0,
      { orders: 10, "postgres (bench backends)": 5, "postgres (whole server)": 8, "load generator": 1 },
      { busy: 100, total: 200 },
    );
    const to = sample(
      10_000,
      { orders: 12, "postgres (bench backends)": 6, "postgres (whole server)": 9.5, "load generator": 1.5 },
      { busy: 104, total: 220 },
    );
    const account = accountWindow(from, to, 100, attribution);
    expect(account.ordersPerSecond).toBe(10);
    expect(account.cpuMsPerOrder).toEqual({
      orders: 20,
      "postgres (bench backends)": 10,
      "postgres (whole server)": 15,
      "load generator": 5,
    });
    // The load generator and the server's other processes are not what an order costs.
    expect(account.cpuMsPerOrderTotal).toBe(30);
    expect(account.machine.busyPercent).toBe(20);
    // 4 s busy, of which orders 2 + server 1.5 + load generator 0.5: nothing unattributed.
    expect(account.machine.unattributedPercent).toBe(0);
    expect(account.flags).toEqual([]);
  });

  it("splits the bench's PostgreSQL backends by database, after them, without counting them twice", () => {
    const split: Attribution = {
      ...attribution,
      parts: { "postgres (bench backends)": ["postgres orders", "postgres payments"] },
    };
    const from = sample(
      0,
      {
        orders: 10,
        "postgres (bench backends)": 5,
        "postgres orders": 3,
        "postgres payments": 2,
        "postgres (whole server)": 8,
        "load generator": 1,
      },
      { busy: 100, total: 200 },
    );
    const to = sample(
      10_000,
      {
        orders: 12,
        "postgres (bench backends)": 6,
        "postgres orders": 3.7,
        "postgres payments": 2.3,
        "postgres (whole server)": 9.5,
        "load generator": 1.5,
      },
      { busy: 104, total: 220 },
    );
    const account = accountWindow(from, to, 100, split);
    expect(Object.keys(account.cpuMsPerOrder)).toEqual([
      "orders",
      "postgres (bench backends)",
      "postgres orders",
      "postgres payments",
      "postgres (whole server)",
      "load generator",
    ]);
    expect(account.cpuMsPerOrder).toMatchObject({ "postgres orders": 7, "postgres payments": 3 });
    expect(account.cpuMsPerOrderTotal).toBe(30);
    expect(account.machine.unattributedPercent).toBe(0);
  });

  it("flags a window where other programs or the hypervisor took the machine's time", () => {
    const from = sample(0, { orders: 0 }, { busy: 0, total: 0 });
    const to = sample(10_000, { orders: 1 }, { busy: 4, total: 20, steal: 0.5 });
    const account = accountWindow(from, to, 10, attribution);
    expect(account.machine.unattributedPercent).toBe(75);
    expect(account.machine.stealPercent).toBe(2.5);
    expect(account.flags).toHaveLength(2);
  });

  it("counts the services' work per confirmed order", () => {
    const before = workCountsOf(
      [
        "# HELP sql_commits_total x",
        'sql_commits_total{service="orders"} 100',
        'events_consumed_total{type="a",outcome="applied",service="orders"} 3',
        'events_consumed_total{type="b",outcome="ignored",service="orders"} 1',
        'http_request_duration_seconds_count{method="POST",route="/graphql",status="200",service="orders"} 10',
        'http_request_duration_seconds_count{method="GET",route="/metrics",status="200",service="orders"} 50',
      ].join("\n"),
    );
    const after = workCountsOf(
      [
        'sql_commits_total{service="orders"} 180',
        'events_consumed_total{type="a",outcome="applied",service="orders"} 23',
        'events_consumed_total{type="b",outcome="ignored",service="orders"} 11',
        'http_request_duration_seconds_count{method="POST",route="/graphql",status="200",service="orders"} 50',
        'http_request_duration_seconds_count{method="GET",route="/metrics",status="200",service="orders"} 52',
      ].join("\n"),
    );
    const account = accountWindow(
      sample(0, {}, { busy: 0, total: 1 }, before),
      sample(1000, {}, { busy: 0, total: 2 }, after),
      10,
      attribution,
    );
    expect(account.workPerOrder).toMatchObject({ sqlCommits: 8, eventsConsumed: 2, eventsIgnored: 1, httpRequests: 4 });
  });

  it("reads labels with escaped quotes and takes the median of three runs", () => {
    expect(parsePrometheus('a_total{x="say \\"hi\\"",y="2"} 7')).toEqual([
      { name: "a_total", labels: { x: 'say \\"hi\\"', y: "2" }, value: 7 },
    ]);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([null, 5])).toBe(5);
    expect(median([])).toBeNull();
    expect(medianOf([{ a: 1, b: 9 }, { a: 3, b: 7 }, null, { a: 2, b: null }])).toEqual({ a: 2, b: 7 });
  });
});
