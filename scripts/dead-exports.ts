/**
 * Lists the exports under src/ that nothing imports: `npm run dead-exports`
 * (part of `npm run lint`; `--explain` also prints what it keeps and why).
 *
 * One TypeScript program over src/, tests/, bench/ and scripts/, with each
 * .vue file's <script> blocks as a virtual .ts file beside it (so relative
 * and @shared/@renderer imports resolve as Vite resolves them). Every import
 * and re-export is followed through its aliases to the declaration it names;
 * an export whose declaration no other file reaches is printed (`type` for
 * an interface or type alias), marked "used in its file" when it could
 * simply lose its `export`. `import * as` and `import()` of a module count
 * as using all of its exports.
 *
 * Kept without being listed, each for a stated reason:
 * - exports of the engine's public entries (index.ts, light.ts): they are API;
 * - a type named in the signature of a live export of its file (a parameter,
 *   return, property or member type): callers may need to name it to build
 *   the options or hold the result;
 * - an entry of KEEP below, with its one-line reason.
 * Prints nothing and exits 0 when every other export is used; exits 1 otherwise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['src', 'tests', 'bench', 'scripts'];
/** Public entries: what they export is the API, used or not. */
const ENTRIES = new Set(['src/engine/index.ts', 'src/engine/light.ts']);

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');
const isVueScript = (file: string): boolean => file.endsWith('.vue.ts');

/** The <script> blocks of a .vue file, other lines blanked so that positions keep their line. */
function vueScript(vueFile: string): string {
  const text = readFileSync(vueFile, 'utf8');
  const out = text.replace(/[^\n]/g, ' ').split('');
  for (const m of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = m.index! + m[0].indexOf('>') + 1;
    for (let i = 0; i < m[1].length; i++) out[start + i] = m[1][i];
  }
  return out.join('');
}

function sourceFiles(): string[] {
  const files = ts.sys
    .readDirectory(
      ROOT,
      ['.ts', '.vue', '.mts'],
      undefined,
      FOLDERS.map((f) => `${f}/**/*`),
    )
    .filter((f) => !f.includes('/node_modules/') && !f.endsWith('.d.ts'));
  return files.map((f) => (f.endsWith('.vue') ? `${f}.ts` : f));
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowJs: false,
  noEmit: true,
  skipLibCheck: true,
  resolveJsonModule: true,
  baseUrl: ROOT,
  paths: { '@shared/*': ['./src/shared/*'], '@renderer/*': ['./src/renderer/src/*'] },
  types: [],
};

const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
const fileExists = host.fileExists.bind(host);
host.readFile = (f) => (isVueScript(f) ? vueScript(f.slice(0, -3)) : readFile(f));
host.fileExists = (f) => (isVueScript(f) ? fileExists(f.slice(0, -3)) : fileExists(f));
// `import X from './Y.vue'` resolves to the virtual Y.vue.ts.
host.resolveModuleNameLiterals = (literals, containing) =>
  literals.map((lit) => {
    const name = lit.text;
    if (name.endsWith('.vue')) {
      const base = name.startsWith('@renderer/')
        ? path.join(ROOT, 'src/renderer/src', name.slice('@renderer/'.length))
        : path.resolve(path.dirname(containing), name);
      return { resolvedModule: { resolvedFileName: `${base}.ts`, extension: ts.Extension.Ts } };
    }
    return ts.resolveModuleName(name, containing, options, host);
  });

const program = ts.createProgram(sourceFiles(), options, host);
const checker = program.getTypeChecker();
const ours = program
  .getSourceFiles()
  .filter((sf) => !sf.isDeclarationFile && FOLDERS.some((f) => rel(sf.fileName).startsWith(`${f}/`)));

/** Declarations reached from another file, and modules used whole. */
const used = new Set<ts.Declaration>();
const wholeModules = new Set<ts.SourceFile>();

const resolveAlias = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

function markSymbol(node: ts.Node, from: ts.SourceFile): void {
  const s = checker.getSymbolAtLocation(node);
  if (!s) return;
  for (const d of resolveAlias(s).declarations ?? []) if (d.getSourceFile() !== from) used.add(d);
}

function moduleFile(spec: ts.Expression): ts.SourceFile | undefined {
  const s = checker.getSymbolAtLocation(spec);
  const d = s?.declarations?.[0];
  return d && ts.isSourceFile(d) ? d : undefined;
}

for (const sf of ours) {
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause) {
      const c = node.importClause;
      if (c.name) markSymbol(c.name, sf);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) {
        const m = moduleFile(node.moduleSpecifier);
        if (m) wholeModules.add(m);
      } else if (b) for (const e of b.elements) markSymbol(e.name, sf);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      if (!node.exportClause || ts.isNamespaceExport(node.exportClause)) {
        const m = moduleFile(node.moduleSpecifier);
        // `export *` from a public entry is API; elsewhere the names it passes on are checked where they are imported
        if (m && ENTRIES.has(rel(sf.fileName))) wholeModules.add(m);
      } else
        for (const e of node.exportClause.elements) {
          if (ENTRIES.has(rel(sf.fileName))) markSymbol(e.propertyName ?? e.name, sf);
        }
    } else if (
      ts.isImportTypeNode(node) ||
      (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
    ) {
      const arg = ts.isImportTypeNode(node) ? node.argument : node.arguments[0];
      const lit = ts.isLiteralTypeNode(arg as ts.TypeNode) ? (arg as ts.LiteralTypeNode).literal : arg;
      const m = lit && moduleFile(lit as ts.Expression);
      if (m) wholeModules.add(m);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

// A module used whole uses every export, wherever it is declared.
for (const m of wholeModules) {
  const s = checker.getSymbolAtLocation(m);
  for (const exp of s ? checker.getExportsOfModule(s) : [])
    for (const d of resolveAlias(exp).declarations ?? []) used.add(d);
}

/** Whether `name` is referred to in its own file other than where it is declared. */
function usedInFile(sf: ts.SourceFile, name: string, decls: readonly ts.Declaration[]): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && node.text === name && !decls.some((d) => (d as ts.NamedDeclaration).name === node)) {
      const s =
        ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
          ? checker.getShorthandAssignmentValueSymbol(node.parent)
          : checker.getSymbolAtLocation(node);
      if (s && (s.declarations ?? []).some((d) => decls.includes(d))) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * Exports kept on purpose although nothing imports them yet, each with why.
 * Keyed `file:name`. Keep this short: an entry here is a promise to callers.
 */
const KEEP: Record<string, string> = {};

/** A dead export: where, what, and whether its own file uses it. */
interface Dead {
  file: string;
  line: number;
  name: string;
  isType: boolean;
  local: boolean;
  decls: readonly ts.Declaration[];
}

const dead: Dead[] = [];
for (const sf of ours) {
  const file = rel(sf.fileName);
  if (!file.startsWith('src/') || ENTRIES.has(file) || wholeModules.has(sf) || isVueScript(sf.fileName)) continue;
  const mod = checker.getSymbolAtLocation(sf);
  if (!mod) continue;
  for (const exp of checker.getExportsOfModule(mod)) {
    const target = resolveAlias(exp);
    const decls = (target.declarations ?? []).filter((d) => d.getSourceFile() === sf);
    if (decls.length === 0) continue; // a re-export: judged in the file that declares it
    if (decls.some((d) => used.has(d))) continue;
    const line = sf.getLineAndCharacterOfPosition(decls[0].getStart()).line + 1;
    const local = usedInFile(sf, exp.name, decls);
    const isType = decls.every((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
    dead.push({ file, line, name: exp.name, isType, local, decls });
  }
}

/**
 * The parts of a declaration a caller sees: parameter, return, property and
 * member types, not bodies or initialisers. A type named there is part of
 * the export's signature, so a caller may need to name it too (to build the
 * options object, or hold the result) and it stays exported.
 */
function signatureParts(d: ts.Declaration): ts.Node[] {
  const fn = (f: ts.SignatureDeclarationBase): ts.Node[] => [
    ...(f.typeParameters ?? []),
    ...f.parameters.map((p) => p.type).filter((t): t is ts.TypeNode => !!t),
    ...(f.type ? [f.type] : []),
  ];
  if (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) return [d];
  if (ts.isFunctionDeclaration(d)) return fn(d);
  if (ts.isVariableDeclaration(d)) {
    const init = d.initializer;
    const fromInit = init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? fn(init) : [];
    return [...(d.type ? [d.type] : []), ...fromInit];
  }
  if (ts.isClassDeclaration(d)) {
    const parts: ts.Node[] = [...(d.typeParameters ?? []), ...(d.heritageClauses ?? [])];
    for (const m of d.members) {
      const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
      if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword) || (m.name && ts.isPrivateIdentifier(m.name)))
        continue;
      if (ts.isPropertyDeclaration(m) && m.type) parts.push(m.type);
      else if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessor(m)) parts.push(...fn(m));
    }
    return parts;
  }
  return [];
}

/** Which exported declaration of the file names `decls` in its signature, or undefined. */
const byDecl = new Map<ts.Declaration, Dead>();
for (const d of dead) for (const decl of d.decls) byDecl.set(decl, d);
const publicVia = new Map<Dead, string>();
/** Live exports: used from outside (or public entries), and, as the loop goes, types those name. */
const live: { name: string; decls: readonly ts.Declaration[] }[] = [];
for (const sf of ours) {
  const file = rel(sf.fileName);
  if (!file.startsWith('src/')) continue;
  const mod = checker.getSymbolAtLocation(sf);
  for (const exp of mod ? checker.getExportsOfModule(mod) : []) {
    const decls = (resolveAlias(exp).declarations ?? []).filter((d) => d.getSourceFile() === sf);
    if (decls.length && !decls.some((d) => byDecl.has(d))) live.push({ name: exp.name, decls });
  }
}
for (let i = 0; i < live.length; i++) {
  const { name, decls } = live[i];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const s = checker.getSymbolAtLocation(node);
      for (const target of s ? (resolveAlias(s).declarations ?? []) : []) {
        const d = byDecl.get(target);
        if (d && d.isType && !publicVia.has(d) && d.decls.every((x) => x !== node.parent)) {
          publicVia.set(d, name);
          live.push({ name: d.name, decls: d.decls });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const decl of decls) for (const part of signatureParts(decl)) visit(part);
}

const explain = process.argv.includes('--explain');
let unexplained = 0;
for (const d of dead) {
  const where = `${d.file}:${d.line} ${d.isType ? 'type ' : ''}${d.name}`;
  const why =
    KEEP[`${d.file}:${d.name}`] ??
    (publicVia.has(d) ? `a type named in the exported signature of ${publicVia.get(d)}` : '');
  if (why) {
    if (explain) console.log(`${where}: kept, ${why}`);
    continue;
  }
  unexplained++;
  console.log(`${where}${d.local ? ' (used in its file)' : ''}`);
}
process.exitCode = unexplained ? 1 : 0;
