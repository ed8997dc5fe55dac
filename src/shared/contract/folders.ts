/**
 * Folders the user chooses (native dialog in the desktop app, the folder
 * browser in browser mode) and opening a folder in the file manager. A path
 * the backend reads or writes outside the runs root must have been chosen
 * through one of these in this session.
 */
import { z } from 'zod';
import { absPath, runId } from './common';
import { returns, type OperationTable } from './operation';

/** One entry of the folder browser. */
export interface DirEntry {
  name: string;
  /** Absolute path. */
  path: string;
  /** Files directly inside with an image-like extension (capped at 10000; -1 if unreadable). */
  imageCount: number;
  /** True when it has subfolders (the browser can show an expander). */
  hasSubfolders: boolean;
}

export interface DirListing {
  /** Absolute, normalised path that was listed. */
  path: string;
  /** Parent folder, null at a file-system root. */
  parent: string | null;
  /** Subfolders only (hidden ones left out), sorted by name. */
  entries: DirEntry[];
  /** Image-like files directly in `path` (capped at 10000). */
  imageCount: number;
  /** Handy start points: home, the demo data set, the runs root, file-system roots. */
  places: { label: string; path: string }[];
}

export const PickFolderRequestSchema = z
  .object({
    title: z.string().max(200).optional(),
    /** What the folder is for: 'dataset' (read) or 'output' (write; the dialog may offer to create one). */
    purpose: z.enum(['dataset', 'output']),
  })
  .strict();
export type PickFolderRequest = z.infer<typeof PickFolderRequestSchema>;

export const ListDirRequestSchema = z.object({ path: absPath.optional() }).strict();
export type ListDirRequest = z.infer<typeof ListDirRequestSchema>;

export const ChooseFolderRequestSchema = z
  .object({ path: absPath, purpose: z.enum(['dataset', 'output']), create: z.boolean().optional() })
  .strict();
export type ChooseFolderRequest = z.infer<typeof ChooseFolderRequestSchema>;

export const OpenPathRequestSchema = z.union([
  z.object({ kind: z.literal('run'), runId }).strict(),
  z.object({ kind: z.literal('path'), path: absPath }).strict(),
]);
export type OpenPathRequest = z.infer<typeof OpenPathRequestSchema>;

export const foldersOperations = {
  /** Desktop: the native folder dialog; the folder is then allowed. Null when cancelled. Browser mode: rejects (use the folder browser). */
  'dialog:pick-folder': { method: 'pickFolder', request: PickFolderRequestSchema, result: returns<string | null>() },
  /** Browser mode's folder browser: the subfolders of a folder (home when left out). Desktop: rejects. */
  'fs:list-dir': { method: 'listDir', request: ListDirRequestSchema, result: returns<DirListing>() },
  /** Browser mode: the user chose this folder in the folder browser; it is then allowed. Returns the normalised path. */
  'fs:choose-folder': { method: 'chooseFolder', request: ChooseFolderRequestSchema, result: returns<string>() },
  /** Desktop: opens a run folder or an allowed folder in the system file manager. Both: answers the path (show it in browser mode). */
  'shell:open-path': {
    method: 'openPath',
    request: OpenPathRequestSchema,
    result: returns<{ path: string; opened: boolean }>(),
  },
} as const satisfies OperationTable;
