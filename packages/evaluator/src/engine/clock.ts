/** The engine's clock: an event's timestamp as epoch ms, the last one remembered (events of one batch share it). */
import { TripwireError } from "@tripwire/sdk";
import { parseTimestamp } from "../time.js";

export class Clock {
  private lastTs = "";
  private lastMs = NaN;

  /** Epoch ms of an event timestamp; `TW2031` for one that is not an ISO 8601 date-time. */
  now(ts: string): number {
    if (ts === this.lastTs) return this.lastMs;
    const ms = parseTimestamp(ts);
    if (Number.isNaN(ms)) throw new TripwireError("TW2031", `event timestamp "${ts}" is not an ISO 8601 date-time`);
    this.lastTs = ts;
    this.lastMs = ms;
    return ms;
  }
}
