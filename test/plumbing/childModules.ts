import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Compile some of src/ to plain ESM in `outDir` (same layout), so a real second `node` process
 * can run the very code under test. Node 20 cannot run .ts by itself.
 */
export async function compileForChild(outDir: string, files: string[]): Promise<void> {
  await writeFile(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  for (const file of files) {
    const source = await readFile(path.join(ROOT, file), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = path.join(outDir, file.replace(/\.ts$/, '.js'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
}
