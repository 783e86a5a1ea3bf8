import safeRegex from "safe-regex2";

/**
 * Why a filter regex cannot run the same everywhere, or `undefined`. W&B's filters are evaluated server-side, and a
 * linear-time engine (RE2: Go's regexp, re2js) has no lookaround and no backreferences, so a pattern that compiles
 * in JavaScript can still be refused there. One that does not compile at all is validation's error (TW1007).
 */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch {
    return undefined;
  }
  const feature = nonRegularFeature(pattern);
  return feature === undefined ? undefined : `uses ${feature}, which linear-time (RE2) engines do not support`;
}

/**
 * Whether a pattern can take exponential time on some input (nested or overlapping quantifiers such as `(a+)+`),
 * per safe-regex2's star-height analysis.
 */
export function isCatastrophic(pattern: string): boolean {
  try {
    // safe-regex2 also says "unsafe" for a pattern it cannot parse: that one is validation's error (TW1007).
    new RegExp(pattern);
    return !safeRegex(pattern);
  } catch {
    return false;
  }
}

/** Lookaround or a backreference, scanning outside character classes and escapes. */
function nonRegularFeature(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\\${next})`;
      if (!inClass && next === "k" && pattern[i + 2] === "<") return "a named backreference (\\k<…>)";
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2, i + 4);
      if (rest.startsWith("=") || rest.startsWith("!")) return `a lookahead (?${rest[0]}…)`;
      if (rest === "<=" || rest === "<!") return `a lookbehind (?${rest}…)`;
    }
  }
  return undefined;
}
