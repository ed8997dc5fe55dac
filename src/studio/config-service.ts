/** Config schema, presets and validation for the Train form. */
import { z } from 'zod';
import { TrainConfigSchema } from '../shared/config';
import type { ConfigCheck, ConfigGroup, ConfigResolveRequest, ConfigSchemaInfo, PresetInfo } from '../shared/contract';
import { PRESET_NAMES, PRESETS, configTree, parseConfig } from '../engine/light';
import { RUN_CONTROL_KEYS } from '../shared/run';

const PRESET_DESCRIPTIONS: Record<string, string> = {
  'dcgan-28': '1×28×28 grayscale with a dense stem: small and quick, made for the Fashion-MNIST demo set.',
  'dcgan-64': '3×64×64 colour, the classic DCGAN of Radford et al. (2016): the starting point for your own photos.',
};

const GROUP_TEXT: Record<string, { title: string; description: string }> = {
  run: { title: 'Run', description: 'Name, length, batch size, seed and compute backend.' },
  data: { title: 'Data', description: 'Where the images come from and how they are made square.' },
  model: { title: 'Model', description: 'Architecture and size of G and D.' },
  training: { title: 'Training', description: 'Loss and update schedule.' },
  g: { title: 'Generator', description: "G's optimizer and learning rate, its layers, normalization and noise." },
  d: {
    title: 'Discriminator',
    description: "D's optimizer and learning rate, its layers, normalization and regularization.",
  },
  ema: { title: 'EMA of G', description: 'A moving average of G that gives smoother samples and exports.' },
  output: { title: 'Output', description: 'How often samples and checkpoints are saved.' },
};

/** Where top-level scalar options go; unknown ones land in 'training'. */
const TOP_LEVEL_GROUP: Record<string, string> = {
  name: 'run',
  preset: 'run',
  seed: 'run',
  backend: 'run',
  steps: 'run',
  batchSize: 'run',
  loss: 'training',
  dSteps: 'training',
  sampleEvery: 'output',
  checkpointEvery: 'output',
  keepCheckpoints: 'output',
  gridSize: 'output',
};

const GROUP_ORDER = ['run', 'data', 'model', 'training', 'g', 'd', 'ema', 'output'];

type JsonSchemaNode = { type?: string; properties?: Record<string, JsonSchemaNode>; description?: string };

function configGroups(jsonSchema: JsonSchemaNode): ConfigGroup[] {
  const groups = new Map<string, string[]>();
  const add = (g: string, field: string) => {
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(field);
  };
  for (const [key, node] of Object.entries(jsonSchema.properties ?? {})) {
    if (node.type === 'object' && node.properties) {
      for (const sub of Object.keys(node.properties)) add(key, `${key}.${sub}`);
    } else {
      add(TOP_LEVEL_GROUP[key] ?? 'training', key);
    }
  }
  const ids = [...groups.keys()].sort((a, b) => {
    const ia = GROUP_ORDER.indexOf(a);
    const ib = GROUP_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  return ids.map((id) => {
    const text = GROUP_TEXT[id] ?? { title: id, description: jsonSchema.properties?.[id]?.description ?? '' };
    return { id, title: text.title, description: text.description, fields: groups.get(id)! };
  });
}

let cachedSchema: ConfigSchemaInfo | null = null;

export function configSchemaInfo(): ConfigSchemaInfo {
  if (cachedSchema) return cachedSchema;
  const jsonSchema = z.toJSONSchema(TrainConfigSchema, { io: 'input' }) as Record<string, unknown>;
  const presets: PresetInfo[] = PRESET_NAMES.map((name) => ({
    name,
    description: PRESET_DESCRIPTIONS[name] ?? `Preset ${name}.`,
    config: parseConfig({ ...structuredClone(PRESETS[name]), preset: name }),
  }));
  cachedSchema = {
    jsonSchema,
    groups: configGroups(jsonSchema as JsonSchemaNode),
    presets,
    defaultPreset: PRESET_NAMES.includes('dcgan-28' as never) ? 'dcgan-28' : PRESET_NAMES[0],
    resumableKeys: [...RUN_CONTROL_KEYS],
  };
  return cachedSchema;
}

/** preset < config < sets, checked; every issue reported, the first as a CLI-style line. */
export function resolveConfigRequest(req: ConfigResolveRequest): ConfigCheck {
  try {
    const tree = configTree({ preset: req.preset, config: req.config, sets: req.sets });
    const result = TrainConfigSchema.safeParse(tree);
    if (result.success) return { ok: true, config: result.data };
    const issues = result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => ({ path: [...issue.path, k].join('.'), message: 'unknown option' }))
        : [{ path: issue.path.join('.'), message: issue.message }],
    );
    let error = '';
    try {
      parseConfig(tree);
    } catch (e) {
      error = (e as Error).message;
    }
    return { ok: false, error, issues };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: message, issues: [{ path: '', message }] };
  }
}
