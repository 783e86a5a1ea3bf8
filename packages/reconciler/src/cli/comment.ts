import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./command.js";
import type { Io } from "./io.js";
import { MARKDOWN_PART_SEPARATOR } from "./plan.js";

export interface CommentArgs {
  readonly file: string;
  readonly repo: string;
  readonly pr: number;
  readonly tokenEnv: string;
  readonly apiUrl?: string | undefined;
}

async function readInput(file: string, io: Io): Promise<string> {
  if (file !== "-") return readFileSync(resolve(io.cwd, file), "utf8");
  let text = "";
  for await (const chunk of io.stdin) text += String(chunk);
  return text;
}

/**
 * `tripwire comment --repo owner/name --pr N plan.md`: posts `tripwire plan --markdown` output on a pull request,
 * one comment per part, updated in place on every run.
 */
export async function commentCommand(args: CommentArgs, io: Io): Promise<number> {
  const { postPlanComment } = await import("../github/comment.js");
  const token = io.env[args.tokenEnv];
  if (!token) {
    io.stderr.write(`error: no GitHub token in $${args.tokenEnv}\n`);
    return 1;
  }
  const text = await readInput(args.file, io);
  const parts = text.split(MARKDOWN_PART_SEPARATOR).filter((p) => p.trim() !== "");
  if (parts.length === 0) {
    io.stderr.write("error: the plan Markdown is empty\n");
    return 1;
  }
  const r = await postPlanComment({ repo: args.repo, pr: args.pr, token, parts, ...(args.apiUrl ? { apiUrl: args.apiUrl } : {}) });
  io.stderr.write(`Pull request #${args.pr}: ${r.created} comment${r.created === 1 ? "" : "s"} created, ${r.updated} updated, ${r.deleted} deleted.\n`);
  return 0;
}

export const commentCmd: Command = {
  command: "comment <file>",
  describe: "post `tripwire plan --markdown` output on a pull request, updating the same comments in place",
  builder: (y) =>
    y
      .positional("file", { type: "string", demandOption: true, describe: "the Markdown (- for stdin)" })
      .option("repo", { type: "string", demandOption: true, describe: "owner/name (in GitHub Actions: $GITHUB_REPOSITORY)" })
      .option("pr", { type: "number", demandOption: true, describe: "pull-request number" })
      .option("token-env", { type: "string", default: "GITHUB_TOKEN", describe: "environment variable holding the GitHub token" })
      .option("api-url", { type: "string", describe: "GitHub REST API root (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)" }),
  run: (a, io) => commentCommand({ file: a.file, repo: a.repo, pr: a.pr, tokenEnv: a.tokenEnv, apiUrl: a.apiUrl }, io),
};
