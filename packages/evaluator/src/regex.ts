/**
 * User regular expressions (`$regex` filters on run names, users, aliases, tags), run with a linear-time engine.
 *
 * JavaScript's `RegExp` backtracks: `^(a+)+$` against 30 `a`s and a `!` takes time doubling per character, and
 * one such event blocks a whole server. RE2 (here `re2js`, pure JavaScript) runs in time linear in the input
 * for every pattern. W&B's backend matches `$regex` filters with Go's `regexp` package, which has RE2 syntax and
 * semantics, so RE2 is also the closer match to W&B: patterns JavaScript accepts but RE2 refuses (lookaround,
 * backreferences) would be refused by W&B too. The match is an unanchored search, as MongoDB's `$regex`.
 */
import { RE2JS } from "re2js";

/** A compiled user regex: an unanchored search over one value. */
export type RegexTest = (value: string) => boolean;

/**
 * Compiles a pattern with RE2 semantics, or returns why it cannot be used.
 * @example const r = compileRegex("^train-"); if (r.ok) r.test("train-7") // true
 */
export function compileRegex(pattern: string): { readonly ok: true; readonly test: RegexTest } | { readonly ok: false; readonly message: string } {
  try {
    const re = RE2JS.compile(pattern);
    return { ok: true, test: (value) => re.test(value) };
  } catch (e) {
    return { ok: false, message: `${(e as Error).message.replace(/^error parsing regexp: /, "")} (patterns use RE2 syntax: no lookaround or backreferences)` };
  }
}

/**
 * Why a pattern cannot be used, or `undefined`: the check `validate` runs (`validate(spec, { regexError })`),
 * so a definition is refused where it is written rather than never matching at run time.
 * @example regexError("(?=x)") // "invalid or unsupported Perl syntax: `(?=` (patterns use RE2 syntax: …)"
 */
export function regexError(pattern: string): string | undefined {
  const r = compileRegex(pattern);
  return r.ok ? undefined : r.message;
}
