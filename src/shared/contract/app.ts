/**
 * The app itself: versions, where the studio keeps things, the compute
 * backends this machine has.
 */
import type { GpuAdapterSummary } from '../gpu-adapter';
import { returns, type OperationTable } from './operation';

/** What `app:info` answers: enough to show in an About box or a bug report. */
export interface AppInfo {
  /** Product name, e.g. "GAN Studio". */
  name: string;
  /** The app's own version (package.json). */
  version: string;
  versions: {
    node: string;
    /** '' in browser mode. */
    electron: string;
    /** '' in browser mode. */
    chrome: string;
    v8: string;
  };
  platform: string;
  arch: string;
  /** True when running from a packaged build rather than `npm start`. */
  packaged: boolean;
}

export type StudioMode = 'electron' | 'browser';

/** `studio:info`: where the studio keeps things and what this front end can do. */
export interface StudioInfo {
  app: AppInfo;
  mode: StudioMode;
  /**
   * True in the desktop app: pick folders with `dialog:pick-folder`. False in
   * browser mode: use the folder browser (`fs:list-dir`, `fs:choose-folder`).
   */
  nativeDialogs: boolean;
  /** Absolute folder that holds the run folders. */
  runsRoot: string;
  /** The bundled demo data set (import it with `dir: null`). */
  demoDatasetDir: string;
  /** The user's home folder (a start point for the folder browser). */
  home: string;
  /** Path separator of the backend's OS ('/' or '\\'). */
  pathSeparator: string;
}

export type ConcreteBackend = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** One compute backend, as `gan-studio info` shows it. */
export interface BackendInfo {
  name: ConcreteBackend;
  available: boolean;
  /** "ready", or one line on why not. */
  reason: string;
  /** False when auto passes over it although it runs (webgpu on a CPU emulation such as SwiftShader). */
  auto: boolean;
  /** webgpu: the adapter Dawn found, also when auto skips it. */
  adapter?: GpuAdapterSummary;
}

export interface BackendsInfo {
  /** In the order `auto` tries them. */
  backends: BackendInfo[];
  /** What `auto` picks; null when none is available. */
  auto: ConcreteBackend | null;
}

export const appOperations = {
  'app:info': { method: 'appInfo', request: undefined, result: returns<AppInfo>() },
  'studio:info': { method: 'studioInfo', request: undefined, result: returns<StudioInfo>() },
  /** Probes every compute backend (slow the first time: it loads them). */
  'studio:backends': { method: 'backends', request: undefined, result: returns<BackendsInfo>() },
} as const satisfies OperationTable;
