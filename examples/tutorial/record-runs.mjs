// Sends last week's recorded runs (history/week-47.jsonl) to the local server, as W&B would already hold them for
// a real team: the run history `tripwire plan --backtest` and `tripwire backtest` read when given no files.
// Usage: WANDB_BASE_URL=http://127.0.0.1:8080 WANDB_API_KEY=tutorial-key-0000001 node record-runs.mjs
import { readFileSync } from "node:fs";

const base = process.env.WANDB_BASE_URL ?? "http://127.0.0.1:8080";
const key = process.env.WANDB_API_KEY ?? "tutorial-key-0000001";
const body = readFileSync(new URL("history/week-47.jsonl", import.meta.url), "utf8");
const res = await fetch(`${base}/api/v1/events`, {
  method: "POST",
  headers: { "content-type": "application/x-ndjson", authorization: `Basic ${Buffer.from(`api:${key}`).toString("base64")}` },
  body,
});
const answer = await res.json();
if (res.status !== 200) throw new Error(`${res.status}: ${JSON.stringify(answer)}`);
console.log(`recorded ${answer.accepted ?? body.trim().split("\n").length} events of last week's runs`);
