// One file on purpose: building the form and validating values walk the same JSON Schema shapes.
/**
 * Turns the training config's JSON Schema (`gan-studio config --schema`, or
 * the API's schema call) into a tree of form fields, and checks values
 * against it. Generic on purpose: the schema grows options all the time, and
 * the form must show each new one without a code change.
 *
 * Supported shapes: `enum` (and `anyOf`/`oneOf` of `const`s) → select,
 * `boolean` → switch, `integer`/`number` with minimum/maximum → number input,
 * `string` (with optional `pattern`; a hex-colour pattern → colour picker),
 * `["string", "null"]` → input where empty means null, and nested `object` →
 * section. Anything else is shown as read-only JSON rather than hidden.
 */

/** The part of JSON Schema (draft 2020-12) this module reads. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  format?: string;
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
}

export type FieldKind = 'enum' | 'boolean' | 'integer' | 'number' | 'string' | 'color' | 'json';

interface FieldBase {
  /** Property name. */
  key: string;
  /** Dotted path from the root, e.g. "model.resolution" (what `--set` takes). */
  path: string;
  label: string;
  description: string;
  default: unknown;
}

export interface ScalarField extends FieldBase {
  type: 'field';
  kind: FieldKind;
  /** Choices of an enum field. */
  options?: unknown[];
  /** Effective bounds (huge "safe integer" bounds are dropped). */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  pattern?: string;
  /** null is an allowed value (an empty input means null). */
  nullable: boolean;
  schema: JsonSchema;
}

export interface SectionField extends FieldBase {
  type: 'section';
  children: FormNode[];
}

export type FormNode = ScalarField | SectionField;

/** Bounds at or beyond this are zod's "any safe integer" and are not shown. */
const HUGE = 2 ** 52;

const ACRONYMS = new Set(['g', 'd', 'ema', 'lr', 'id', 'url', 'gpu', 'cpu', 'fid', 'r1', 'r2']);

/** "batchSize" → "Batch size", "lr" → "LR", "g" → "G". */
export function humanize(key: string): string {
  if (ACRONYMS.has(key.toLowerCase())) return key.toUpperCase();
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  if (words.length === 0) return key;
  const first = words[0];
  words[0] = first === first.toUpperCase() ? first : first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(' ');
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** The allowed constant values of an enum-like schema, or null. */
function enumOptions(schema: JsonSchema): unknown[] | null {
  if (Array.isArray(schema.enum)) return schema.enum;
  const alts = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alts) && alts.length > 0 && alts.every((a) => 'const' in a || Array.isArray(a.enum))) {
    return alts.flatMap((a) => ('const' in a ? [a.const] : (a.enum ?? [])));
  }
  return null;
}

function isObjectSchema(schema: JsonSchema): boolean {
  return typesOf(schema).includes('object') || (!!schema.properties && !schema.type);
}

function looksLikeColour(schema: JsonSchema): boolean {
  return (
    schema.format === 'color' ||
    (typeof schema.pattern === 'string' && /^\^#\[0-9a-fA-F\]\{6\}\$$/.test(schema.pattern))
  );
}

function scalarField(key: string, path: string, schema: JsonSchema, labels: Record<string, string>): ScalarField {
  const types = typesOf(schema);
  const nullable = types.includes('null') || (schema.anyOf ?? []).some((a) => typesOf(a).includes('null'));
  const base = {
    type: 'field' as const,
    key,
    path,
    label: labels[path] ?? schema.title ?? humanize(key),
    description: schema.description ?? '',
    default: schema.default,
    nullable,
    schema,
  };
  const options = enumOptions(schema);
  if (options) return { ...base, kind: 'enum', options };
  if (types.includes('boolean')) return { ...base, kind: 'boolean' };
  if (types.includes('integer') || types.includes('number')) {
    let min: number | undefined;
    let max: number | undefined;
    let exclusiveMin = false;
    let exclusiveMax = false;
    if (typeof schema.exclusiveMinimum === 'number') {
      min = schema.exclusiveMinimum;
      exclusiveMin = true;
    } else if (typeof schema.minimum === 'number' && Math.abs(schema.minimum) < HUGE) min = schema.minimum;
    if (typeof schema.exclusiveMaximum === 'number') {
      max = schema.exclusiveMaximum;
      exclusiveMax = true;
    } else if (typeof schema.maximum === 'number' && Math.abs(schema.maximum) < HUGE) max = schema.maximum;
    return { ...base, kind: types.includes('integer') ? 'integer' : 'number', min, max, exclusiveMin, exclusiveMax };
  }
  if (types.includes('string')) {
    return { ...base, kind: looksLikeColour(schema) ? 'color' : 'string', pattern: schema.pattern };
  }
  return { ...base, kind: 'json' };
}

/** A display group of fields (the API's `ConfigGroup`). */
export interface FieldGroup {
  id: string;
  title: string;
  description?: string;
  /** Dotted paths, in display order. */
  fields: string[];
}

export interface BuildFormOptions {
  /** Title of the section that gathers the root's scalar options (no groups). */
  rootTitle?: string;
  /** Labels by dotted path, overriding the generated ones. */
  labels?: Record<string, string>;
  /**
   * Arrange fields into these sections instead of by nesting. Fields the
   * groups do not mention still appear, in a last "Other options" section,
   * so a new schema option is never hidden.
   */
  groups?: readonly FieldGroup[];
}

/** The sub-schema at a dotted path of an object schema, or null. */
function schemaAt(schema: JsonSchema, path: string): JsonSchema | null {
  let cur: JsonSchema | undefined = schema;
  for (const part of path.split('.')) {
    cur = cur?.properties?.[part];
    if (!cur) return null;
  }
  return cur ?? null;
}

/**
 * The form tree of an object schema: a list of sections. Without `groups`,
 * scalar properties of the root are gathered into a first section titled
 * `rootTitle` and each nested object becomes its own section (recursively).
 */
export function buildForm(schema: JsonSchema, options: BuildFormOptions = {}): SectionField[] {
  const labels = options.labels ?? {};
  if (options.groups && options.groups.length > 0) return buildGrouped(schema, options.groups, labels);
  const root: SectionField = {
    type: 'section',
    key: '',
    path: '',
    label: options.rootTitle ?? 'General',
    description: schema.description ?? '',
    default: schema.default,
    children: [],
  };
  const sections: SectionField[] = [root];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const node = buildNode(key, key, prop, labels);
    if (node.type === 'section') sections.push(node);
    else root.children.push(node);
  }
  return root.children.length > 0 ? sections : sections.slice(1);
}

function buildGrouped(
  schema: JsonSchema,
  groups: readonly FieldGroup[],
  labels: Record<string, string>,
): SectionField[] {
  const covered = new Set<string>();
  const sections: SectionField[] = [];
  for (const g of groups) {
    const children: FormNode[] = [];
    for (const path of g.fields) {
      const sub = schemaAt(schema, path);
      if (!sub) continue;
      const node = buildNode(path.split('.').pop() ?? path, path, sub, labels);
      children.push(node);
      for (const f of node.type === 'section' ? flattenFields([node]) : [node]) covered.add(f.path);
    }
    if (children.length > 0) {
      sections.push({
        type: 'section',
        key: g.id,
        path: g.id,
        label: g.title && g.title !== g.id ? g.title : humanize(g.id),
        description: g.description ?? '',
        default: undefined,
        children,
      });
    }
  }
  const rest = flattenFields(buildForm(schema, { labels })).filter((f) => !covered.has(f.path));
  if (rest.length > 0) {
    sections.push({
      type: 'section',
      key: '_other',
      path: '_other',
      label: 'Other options',
      description: '',
      default: undefined,
      children: rest,
    });
  }
  return sections;
}

function buildNode(key: string, path: string, schema: JsonSchema, labels: Record<string, string>): FormNode {
  if (isObjectSchema(schema) && schema.properties) {
    return {
      type: 'section',
      key,
      path,
      label: labels[path] ?? schema.title ?? humanize(key),
      description: schema.description ?? '',
      default: schema.default,
      children: Object.entries(schema.properties).map(([k, p]) => buildNode(k, `${path}.${k}`, p, labels)),
    };
  }
  return scalarField(key, path, schema, labels);
}

/** Every scalar field of a form tree, depth first. */
export function flattenFields(nodes: readonly FormNode[]): ScalarField[] {
  return nodes.flatMap((n) => (n.type === 'section' ? flattenFields(n.children) : [n]));
}

/** The value at a dotted path of a nested object (undefined when missing). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A copy of `obj` with the value at a dotted path replaced (objects created as needed). */
export function setPath<T extends object>(obj: T, path: string, value: unknown): T {
  const parts = path.split('.');
  const copy: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  let cur = copy;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    const child =
      next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    cur[parts[i]] = child;
    cur = child;
  }
  cur[parts[parts.length - 1]] = value;
  return copy as T;
}

/** The schema's defaults as a nested object (object defaults merged with their properties' defaults). */
export function schemaDefaults(schema: JsonSchema): unknown {
  if (isObjectSchema(schema) && schema.properties) {
    const out: Record<string, unknown> = {};
    const own = schema.default && typeof schema.default === 'object' ? (schema.default as Record<string, unknown>) : {};
    for (const [k, p] of Object.entries(schema.properties)) {
      const v = schemaDefaults(p);
      out[k] = v === undefined ? own[k] : v;
    }
    return out;
  }
  return schema.default;
}

function formatBound(v: number): string {
  return Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e7) ? v.toExponential() : String(v);
}

/**
 * What is wrong with `value` for `field`, in one line that names the
 * problem, or null when it is fine.
 */
export function validateField(field: ScalarField, value: unknown): string | null {
  if (value === undefined) return null; // the default applies
  if (value === null || value === '') {
    if (
      field.nullable ||
      (value === '' && field.kind === 'string' && field.pattern === undefined && field.schema.minLength === undefined)
    )
      return null;
    return `${field.label} is required`;
  }
  switch (field.kind) {
    case 'enum':
      return field.options?.some((o) => o === value)
        ? null
        : `${field.label} must be one of ${(field.options ?? []).map((o) => String(o)).join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field.label} must be on or off`;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) return `${field.label} must be a number`;
      if (!Number.isFinite(value)) return `${field.label} must be finite`;
      if (field.kind === 'integer' && !Number.isInteger(value)) return `${field.label} must be a whole number`;
      if (field.min !== undefined) {
        if (field.exclusiveMin && value <= field.min)
          return `${field.label} must be greater than ${formatBound(field.min)}`;
        if (!field.exclusiveMin && value < field.min)
          return `${field.label} must be at least ${formatBound(field.min)}`;
      }
      if (field.max !== undefined) {
        if (field.exclusiveMax && value >= field.max)
          return `${field.label} must be less than ${formatBound(field.max)}`;
        if (!field.exclusiveMax && value > field.max) return `${field.label} must be at most ${formatBound(field.max)}`;
      }
      const step = field.schema.multipleOf;
      if (typeof step === 'number' && step > 0 && Math.abs(value / step - Math.round(value / step)) > 1e-9) {
        return `${field.label} must be a multiple of ${step}`;
      }
      return null;
    }
    case 'string':
    case 'color': {
      if (typeof value !== 'string') return `${field.label} must be text`;
      const { minLength, maxLength } = field.schema;
      if (typeof minLength === 'number' && value.length < minLength)
        return `${field.label} must be at least ${minLength} characters`;
      if (typeof maxLength === 'number' && value.length > maxLength)
        return `${field.label} must be at most ${maxLength} characters`;
      if (field.pattern) {
        let re: RegExp | null = null;
        try {
          re = new RegExp(field.pattern, 'u');
        } catch {
          re = null;
        }
        if (re && !re.test(value)) {
          return field.kind === 'color'
            ? `${field.label} must be a colour like #ffffff`
            : `${field.label} does not match the expected format (${field.pattern})`;
        }
      }
      return null;
    }
    default:
      return null;
  }
}

/** Every field error of a config value, by dotted path. */
export function validateValues(nodes: readonly FormNode[], values: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of flattenFields(nodes)) {
    const msg = validateField(field, getPath(values, field.path));
    if (msg) errors[field.path] = msg;
  }
  return errors;
}
