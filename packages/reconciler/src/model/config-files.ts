// Its own module, with no imports: `tripwire init` needs the names without loading the config's schema (zod, the lint
// checks), so that `--version` and `--help` stay light.

/** File names looked up in the working directory when no `--config` is given. */
export const CONFIG_FILES = ["tripwire.config.ts", "tripwire.config.mts", "tripwire.config.js", "tripwire.config.mjs"];
