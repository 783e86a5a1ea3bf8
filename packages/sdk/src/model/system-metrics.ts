/**
 * The system metrics W&B's SDK logs (every 15 s) by their names in W&B's "System metrics" reference: CPU, disk,
 * memory, network, NVIDIA / AMD / Apple GPUs, TPUs, AWS Trainium and Graphcore IPUs. `{i}` is a device index,
 * `{path}` a disk path. Automations name them without the `system/` prefix the UI shows (`cpu`, `gpu.0.gpu`).
 *
 * They are not in a run's history: W&B keeps them in the run's system-metrics stream (`Run.events`), one row per
 * sample with the keys `system.<name>`, `_timestamp` and `_runtime`, and no `_step` (wandb-core's
 * `core/internal/filestream/updatestats.go`).
 */
const PATTERNS = [
  "cpu",
  "cpu.{i}.cpu_percent",
  "proc.cpu.threads",
  "disk.{path}.usagePercent",
  "disk.{path}.usageGB",
  "disk.in",
  "disk.out",
  "proc.memory.rssMB",
  "proc.memory.percent",
  "proc.memory.availableMB",
  "memory_percent",
  "network.sent",
  "network.recv",
  ...[
    "gpu",
    "memory",
    "memoryAllocated",
    "memoryAllocatedBytes",
    "temp",
    "powerWatts",
    "enforcedPowerLimitWatts",
    "powerPercent",
    "smClock",
    "memoryClock",
    "graphicsClock",
    "correctedMemoryErrors",
    "uncorrectedMemoryErrors",
    "encoderUtilization",
    "fanSpeed",
    "pcieLinkGen",
    "pcieLinkSpeed",
    "pcieLinkWidth",
    "maxPcieLinkGen",
    "maxPcieLinkWidth",
  ].flatMap((m) => [`gpu.{i}.${m}`, `gpu.process.{i}.${m}`]),
  "tpu",
  "tpu.{i}.memoryUsage",
  "tpu.{i}.memoryUsageBytes",
  "tpu.{i}.dutyCycle",
  "trn.{i}.neuroncore_utilization",
  "trn.host_total_memory_usage",
  "trn.neuron_device_total_memory_usage",
  "trn.{i}.neuroncore_memory_usage.constants",
  "trn.{i}.neuroncore_memory_usage.model_code",
  "trn.{i}.neuroncore_memory_usage.model_shared_scratchpad",
  "trn.{i}.neuroncore_memory_usage.runtime_memory",
  "trn.{i}.neuroncore_memory_usage.tensors",
  "ipu.{i}.average board temp (C)",
  "ipu.{i}.average die temp (C)",
  "ipu.{i}.clock (MHz)",
  "ipu.{i}.ipu power (W)",
  "ipu.{i}.ipu utilisation (%)",
  "ipu.{i}.ipu utilisation (session) (%)",
] as const;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const MATCHERS = PATTERNS.map((p) => new RegExp(`^${escape(p).replace(/\\\{i\\\}/g, "\\d+").replace(/\\\{path\\\}/g, ".+")}$`));

/** First name segments that only system metrics use (a user's own `gpu` or `loss` metric has no dot after them). */
const FAMILIES = new Set(["cpu", "gpu", "disk", "proc", "network", "tpu", "trn", "ipu"]);

/**
 * Whether a metric name claims to be a system metric (a `system/` or `system.` prefix, or a dotted name in a system
 * family such as `gpu.0.…`), and if so its name without the prefix.
 * @example systemMetricName("system/gpu.0.temp") // "gpu.0.temp"; systemMetricName("loss") // undefined
 */
export function systemMetricName(metric: string): string | undefined {
  const m = /^system[./](.+)$/.exec(metric);
  if (m) return m[1] as string;
  const dot = metric.indexOf(".");
  return dot > 0 && FAMILIES.has(metric.slice(0, dot)) ? metric : undefined;
}

/**
 * Whether `name` (without the prefix) is one of W&B's system metrics.
 * @example isSystemMetric("gpu.0.gpu") // true; isSystemMetric("gpu.0.utilization") // false
 */
export function isSystemMetric(name: string): boolean {
  return MATCHERS.some((re) => re.test(name));
}

/**
 * The closest system metric patterns (same family), to suggest in a message.
 * @example systemMetricsLike("proc.memory.rss") // ["proc.cpu.threads", "proc.memory.rssMB", …]
 */
export function systemMetricsLike(name: string): string[] {
  const family = name.split(".")[0];
  return PATTERNS.filter((p) => p.split(".")[0] === family).slice(0, 6);
}

/**
 * The key a system metric has in W&B's system-metrics stream (`Run.events` rows): `system.<name>`, for a metric
 * named with the `system/` or `system.` prefix or as a dotted name of a system family; undefined for any other.
 * @example systemEventsKey("system/gpu.0.temp") // "system.gpu.0.temp"
 */
export function systemEventsKey(metric: string): string | undefined {
  const name = systemMetricName(metric);
  return name === undefined ? undefined : `system.${name}`;
}
