/**
 * Resolve the options of a run, lowest priority first:
 *   schema defaults (or a base config) < preset < config file < --set key=value (in order) < flags.
 * Every failure is a UserError that names the option.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { TrainConfigSchema, type TrainConfig } from '../../shared/config';
import { UserError } from '../errors';
import { PRESET_NAMES, PRESETS, isPresetName, type PresetName } from './presets';

export interface ConfigSources {
  /** A complete or partial config to start from instead of the schema defaults (a run's config.json on resume). */
  base?: object;
  preset?: string;
  /** Path of a JSON config file (a partial TrainConfig). */
  configFile?: string;
  /** `key=value` strings; keys are dotted paths such as `g.lr` or `model.baseWidth`. */
  sets?: string[];
  /** Already-typed overrides (from CLI flags), applied last. */
  overrides?: Record<string, unknown>;
}

type Tree = Record<string, unknown>;

export async function resolveConfig(sources: ConfigSources): Promise<TrainConfig> {
  if (sources.preset !== undefined) checkPreset(sources.preset); // before the file: an unknown preset is the first error
  const config = sources.configFile ? await readConfigFile(sources.configFile) : undefined;
  return parseConfig(configTree({ ...sources, config }));
}

/**
 * The unchecked config tree, lowest priority first: base < preset < config <
 * sets (in order) < overrides. Throws a UserError for an unknown preset or a
 * malformed `key=value`.
 */
export function configTree(sources: Omit<ConfigSources, 'configFile'> & { config?: object }): Record<string, unknown> {
  let tree: Tree = sources.base ? (structuredClone(sources.base) as Tree) : {};
  if (sources.preset !== undefined) {
    tree = deepMerge(tree, structuredClone(PRESETS[checkPreset(sources.preset)]) as Tree);
    tree.preset = sources.preset;
  }
  if (sources.config) tree = deepMerge(tree, structuredClone(sources.config) as Tree);
  for (const entry of sources.sets ?? []) {
    const { key, value } = parseSet(entry);
    setPath(tree, key, value);
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    if (value !== undefined) setPath(tree, key, value);
  }
  return tree;
}

function checkPreset(name: string): PresetName {
  if (!isPresetName(name)) throw new UserError(`Unknown preset "${name}". Choose one of: ${PRESET_NAMES.join(', ')}.`);
  return name;
}

/** Validate a config tree; the error names the first bad option. */
export function parseConfig(tree: unknown, origin = 'config'): TrainConfig {
  const result = TrainConfigSchema.safeParse(tree);
  if (!result.success) throw new UserError(describeIssue(result.error, origin));
  return result.data;
}

function describeIssue(error: z.ZodError, origin: string): string {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${issue.path.join('.')}.` : '';
    return `Unknown option ${issue.keys.map((k) => `"${where}${k}"`).join(', ')} in ${origin}.`;
  }
  const name = issue.path.join('.') || '(root)';
  return `Invalid option "${name}" in ${origin}: ${issue.message}.`;
}

async function readConfigFile(file: string): Promise<Tree> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `Config file not found: ${file}` : `Cannot read config file ${file}: ${code ?? String(err)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isTree(parsed)) throw new UserError(`Config file ${file} must hold a JSON object.`);
  return parsed;
}

/** `a.b=3` → { key: 'a.b', value: 3 }. Values are JSON when they parse (numbers, booleans, null), strings otherwise. */
export function parseSet(entry: string): { key: string; value: unknown } {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new UserError(`Bad --set "${entry}": expected key=value, for example --set g.lr=0.0001.`);
  const key = entry.slice(0, eq).trim();
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(key))
    throw new UserError(`Bad --set "${entry}": "${key}" is not an option name.`);
  const raw = entry.slice(eq + 1).trim();
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word such as `minimax` or `#000000` is a string
  }
  return { key, value };
}

function setPath(tree: Tree, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isTree(v) && isTree(out[k]) ? deepMerge(out[k] as Tree, v) : v;
  return out;
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
