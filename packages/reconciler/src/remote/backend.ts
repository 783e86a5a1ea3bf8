import type { Backend } from "../model/backend.js";
import { WandbClient } from "./client.js";
import { HttpTransport, type HttpTransportOptions } from "./transport.js";

/** W&B or a Tripwire server at `baseUrl` (`WANDB_BASE_URL`), authenticated with `WANDB_API_KEY`. */
export function remoteBackend(baseUrl: string, apiKey: string | undefined, options: Omit<HttpTransportOptions, "apiKey"> = {}): Backend {
  const transport = new HttpTransport(baseUrl, { ...options, ...(apiKey ? { apiKey } : {}) });
  return { kind: "remote", url: transport.url, client: new WandbClient(transport), close: () => transport.close() };
}
