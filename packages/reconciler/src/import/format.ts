// The layout of generated code is Prettier's, the formatter the users' editors already apply. Prettier (like
// ts-morph) is loaded on first use: only `tripwire import` and the server's web page generate code, and `--version`
// or `plan` must not pay for it.
import type * as PrettierApi from "prettier";
import { ReconcilerError } from "../model/errors.js";

/** Prettier's options for generated TypeScript (whatever `parser` they name, the `typescript` one is used). */
export type FormatOptions = PrettierApi.Options;

/**
 * The layout when the target repository has no Prettier configuration: Prettier's defaults, except the line width
 * (100, as Tripwire's own code and the generator before Prettier wrote it). Written out in full so the output does
 * not depend on the Prettier version's defaults or on anything on the user's machine.
 * @example
 * await generateSource({ automations, format: { ...DEFAULT_FORMAT, printWidth: 120 } });
 */
export const DEFAULT_FORMAT: Readonly<FormatOptions> = {
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  quoteProps: "as-needed",
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
};

/** Prettier's own default line width, for a user configuration that does not set one. */
const PRETTIER_PRINT_WIDTH = 80;

let prettier: Promise<typeof PrettierApi> | undefined;
const load = (): Promise<typeof PrettierApi> => (prettier ??= import("prettier"));

/** TypeScript source laid out by Prettier with `options`. */
export async function formatTypeScript(text: string, options: Readonly<FormatOptions>): Promise<string> {
  return (await load()).format(text, { ...options, parser: "typescript" });
}

/** The line width `options` lay code out in (comments the generator wraps itself keep to it too). */
export function printWidthOf(options: Readonly<FormatOptions>): number {
  return options.printWidth ?? PRETTIER_PRINT_WIDTH;
}

/**
 * The options `prettier --write file` would use in the user's repository: when a Prettier configuration applies to
 * `file` (`.prettierrc*`, `prettier.config.*`, the `prettier` key of a package.json, with its `overrides` for that
 * path and the `.editorconfig` Prettier reads beside it), exactly that configuration over Prettier's defaults;
 * otherwise {@link DEFAULT_FORMAT}. A repository without Prettier gets Tripwire's layout, not whatever an
 * `.editorconfig` alone would make of Prettier's defaults.
 * @example
 * const { options } = await formatOptionsFor("automations/imported.ts");
 * const { text } = await generateSource({ automations, format: options });
 */
export async function formatOptionsFor(file: string): Promise<{ readonly options: Readonly<FormatOptions>; readonly configFile?: string }> {
  const api = await load();
  try {
    const configFile = await api.resolveConfigFile(file);
    if (configFile === null) return { options: DEFAULT_FORMAT };
    const resolved = await api.resolveConfig(file, { config: configFile, editorconfig: true });
    return { options: resolved ?? {}, configFile };
  } catch (error) {
    throw new ReconcilerError("TWE007", `the Prettier configuration for ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}
