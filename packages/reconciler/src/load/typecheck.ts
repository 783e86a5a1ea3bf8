import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Diagnostic } from "../types.js";

function findUp(name: string, from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Type-checks the definition files (with the project's nearest tsconfig.json, or strict NodeNext defaults) and
 * returns their TypeScript errors as diagnostics with file:line:col — errors in dependencies are not reported.
 */
export async function typecheckFiles(files: readonly string[], cwd: string): Promise<Diagnostic[]> {
  if (files.length === 0) return [];
  // Loaded on demand: the TypeScript compiler takes seconds to load, and most commands skip type-checking.
  const { Project, ts } = await import("ts-morph");
  const tsconfig = findUp("tsconfig.json", cwd);
  const project = tsconfig
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, compilerOptions: { noEmit: true } })
    : new Project({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
          target: ts.ScriptTarget.ES2022,
        },
      });
  const roots = new Set(files.map((f) => resolve(cwd, f)));
  for (const file of roots) project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  const out: Diagnostic[] = [];
  for (const d of project.getPreEmitDiagnostics()) {
    const source = d.getSourceFile();
    const path = source?.getFilePath();
    if (!source || !path || !roots.has(resolve(path))) continue;
    const start = d.getStart() ?? 0;
    const { line, column } = source.getLineAndColumnAtPos(start);
    out.push({
      code: `TS${d.getCode()}`,
      severity: d.getCategory() === ts.DiagnosticCategory.Error ? "error" : "warning",
      message: ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n  "),
      source: { file: relative(cwd, path), line, column },
    });
  }
  return out.sort((a, b) => (a.source?.file ?? "").localeCompare(b.source?.file ?? "") || (a.source?.line ?? 0) - (b.source?.line ?? 0));
}
