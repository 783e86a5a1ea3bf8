// The Tripwire server the reconciler's benchmarks run against: on loopback, a user `bench` with one API key, admin of
// the team `acme`, and whatever projects and integrations the benchmark seeds besides.
import { startServer, type RunningServer, type ServerOptions } from "@tripwire/server";

export const BENCH_KEY = "bench-key-000000001";

type Seed = Exclude<NonNullable<ServerOptions["seed"]>, string>;

/** A server with its SQLite file at `db`, seeded with the bench user and team plus `seed`'s projects and integrations. */
export function benchServer(db: string, seed: Pick<Seed, "projects" | "integrations">): Promise<RunningServer> {
  return startServer({
    db,
    port: 0,
    allowPrivate: ["127.0.0.1"],
    durability: "normal",
    seed: { users: [{ username: "bench", apiKeys: [BENCH_KEY] }], teams: [{ name: "acme", admins: ["bench"] }], ...seed },
  });
}
