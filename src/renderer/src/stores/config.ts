import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { TrainConfig } from '@shared/config';
import type { ConfigCheck, ConfigSchemaInfo, DatasetSummary, InitFrom } from '@shared/contract';
import { suggestPreset, type DatasetFacts, type PresetSuggestion } from '@shared/preset-guide';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';
import { isRecord, loadJson, saveJson } from '../lib/persist';
import { setPath, type JsonSchema } from '../lib/schema';
import { useStudioStore } from './studio';

/** How long after the last edit the config is checked by the backend. */
const RESOLVE_DEBOUNCE_MS = 250;

/** localStorage key of the Train form (preset, values, chosen data set), so a reload keeps the edits. */
const TRAIN_FORM_STORAGE_KEY = 'gan-studio.train-form';

interface SavedForm {
  preset: string;
  values: Record<string, unknown>;
  dataset: DatasetFacts | null;
}

const isSavedForm = (v: unknown): v is SavedForm =>
  isRecord(v) && typeof v.preset === 'string' && isRecord(v.values) && (v.dataset === null || isRecord(v.dataset));

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The hyperparameters of the next run: the schema and presets from the
 * backend, the form's values, and the backend's verdict on them
 * (`config:resolve`), checked shortly after each edit.
 */
export const useConfigStore = defineStore('config', () => {
  const info = shallowRef<ConfigSchemaInfo | null>(null);
  const preset = ref<string>('');
  /** The form's values: a full config (the preset with every default). */
  const values = ref<Record<string, unknown>>({});
  /** Backend issues by dotted path ('' for the whole config). */
  const serverErrors = ref<Record<string, string>>({});
  /** The config as the backend resolved it, when valid. */
  const resolved = shallowRef<TrainConfig | null>(null);
  const checking = ref(false);
  const loadError = ref<string | null>(null);
  /** The imported data set the config points at ("Use for training"), null for the preset's own data. */
  const dataset = ref<DatasetFacts | null>(null);
  /** Fine-tuning: the next run starts from this checkpoint's weights ("New run from this checkpoint"); null for a fresh start. */
  const initFrom = ref<InitFrom | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let generation = 0;

  const schema = computed<JsonSchema | null>(() => (info.value?.jsonSchema as JsonSchema | undefined) ?? null);
  const presets = computed(() => info.value?.presets ?? []);
  const valid = computed(() => resolved.value !== null && Object.keys(serverErrors.value).length === 0);
  /** The preset that fits the chosen data set, when it is not the one selected. */
  const suggestion = computed<PresetSuggestion | null>(() => {
    if (!dataset.value) return null;
    const s = suggestPreset(dataset.value);
    return s.preset !== preset.value && presets.value.some((p) => p.name === s.preset) ? s : null;
  });

  /** Fetch the schema, groups and presets; start from the form as it was before a reload, else the default preset. */
  async function load(): Promise<void> {
    if (info.value) return;
    try {
      info.value = await getApi().configSchema();
      loadError.value = null;
      const saved = loadJson(TRAIN_FORM_STORAGE_KEY, isSavedForm);
      // A form saved before the schema was here (Datasets' "Use for training"
      // on a fresh page) has no preset: start from the default preset, which
      // keeps the chosen data set.
      if (saved?.preset) {
        preset.value = saved.preset;
        dataset.value = saved.dataset;
        setValues(saved.values); // checked again like any edit
      } else selectPreset(info.value.defaultPreset);
    } catch (e) {
      loadError.value = errorMessage(e);
    }
  }

  /**
   * Start over from a preset's values. The data folder and preprocessing the
   * user already chose are kept, and so are the resolution and channels of a
   * chosen data set: a preset describes training, not the user's images.
   */
  function selectPreset(name: string): void {
    const p = presets.value.find((x) => x.name === name);
    if (!p) return;
    const keepData = values.value.data;
    preset.value = name;
    let next = clone(p.config) as unknown as Record<string, unknown>;
    if (keepData && typeof keepData === 'object') next = { ...next, data: clone(keepData) };
    if (dataset.value) {
      next = setPath(next, 'model.resolution', dataset.value.resolution);
      next = setPath(next, 'model.channels', dataset.value.channels);
    }
    setValues(next);
  }

  /** Replace the form's values; the backend checks them after a short pause. */
  function setValues(next: Record<string, unknown>): void {
    values.value = next;
    saveJson(TRAIN_FORM_STORAGE_KEY, {
      preset: preset.value,
      values: next,
      dataset: dataset.value,
    } satisfies SavedForm);
    resolved.value = null;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void check();
    }, RESOLVE_DEBOUNCE_MS);
  }

  /** Point the config at an imported data set (folder, preprocessing, resolution, channels). */
  function useDataset(ds: DatasetSummary): void {
    let next = values.value;
    next = setPath(next, 'data.dir', ds.dir);
    next = setPath(next, 'data.resize', ds.options.resize);
    next = setPath(next, 'data.background', ds.options.background);
    next = setPath(next, 'data.minSize', ds.options.minSize);
    next = setPath(next, 'model.resolution', ds.options.resolution);
    next = setPath(next, 'model.channels', ds.options.channels);
    dataset.value = { count: ds.count, resolution: ds.options.resolution, channels: ds.options.channels };
    setValues(next);
  }

  /**
   * The schema accepts any string as data.dir; a folder that is not there is
   * no valid config. In browser mode the folder browser's listing says so
   * (the desktop app picks folders with the native dialog and the start
   * refuses a missing one).
   */
  async function checkDataDir(result: ConfigCheck): Promise<ConfigCheck> {
    const dir = result.ok ? result.config.data.dir : null;
    const studio = useStudioStore();
    if (!dir || !studio.info || studio.nativeDialogs) return result;
    try {
      await getApi().listDir({ path: dir });
      return result;
    } catch (e) {
      const message = errorMessage(e);
      return { ok: false, error: message, issues: [{ path: 'data.dir', message }] };
    }
  }

  /** Start the form from an existing run's config ("New run from this run's config"). */
  function fromConfig(config: TrainConfig): void {
    preset.value = config.preset ?? preset.value;
    dataset.value = null;
    initFrom.value = null;
    setValues(clone(config) as unknown as Record<string, unknown>);
  }

  /**
   * "New run from this checkpoint": the run's config in the form (its
   * architecture must match the checkpoint's) and its weights as the start;
   * the user then picks the data set. Optimizer state and the ADA probability
   * start fresh unless the user ticks them (setInitFrom).
   */
  function fromCheckpoint(config: TrainConfig, runId: string, step: number): void {
    fromConfig(config);
    initFrom.value = { runId, step };
  }

  /** Change what the fine-tuned run carries over (optimizer, ada). */
  function setInitFrom(patch: Partial<Pick<InitFrom, 'optimizer' | 'ada'>>): void {
    if (initFrom.value) initFrom.value = { ...initFrom.value, ...patch };
  }

  /** Start from scratch after all (the init-from source removed). */
  function clearInitFrom(): void {
    initFrom.value = null;
  }

  /** Ask the backend now; returns its verdict (and updates the errors). */
  async function check(): Promise<ConfigCheck | null> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    const mine = ++generation;
    checking.value = true;
    try {
      let result = await getApi().resolveConfig({ config: clone(values.value) });
      if (result.ok) result = await checkDataDir(result);
      if (mine !== generation) return result;
      if (result.ok) {
        resolved.value = result.config;
        serverErrors.value = {};
      } else {
        resolved.value = null;
        const errs: Record<string, string> = {};
        for (const issue of result.issues) if (!(issue.path in errs)) errs[issue.path] = issue.message;
        if (result.issues.length === 0) errs[''] = result.error;
        serverErrors.value = errs;
      }
      return result;
    } catch (e) {
      if (mine === generation) serverErrors.value = { '': errorMessage(e) };
      return null;
    } finally {
      if (mine === generation) checking.value = false;
    }
  }

  return {
    info,
    preset,
    values,
    serverErrors,
    resolved,
    checking,
    loadError,
    dataset,
    initFrom,
    schema,
    presets,
    valid,
    suggestion,
    load,
    selectPreset,
    setValues,
    useDataset,
    fromConfig,
    fromCheckpoint,
    setInitFrom,
    clearInitFrom,
    check,
  };
});
