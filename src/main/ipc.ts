/**
 * The one place main registers IPC handlers.
 *
 * Every invoke goes through the same gate: the sender frame must still exist
 * and its URL must be our renderer (file:// of our index.html, or the dev
 * server), never another page. Only then do the raw arguments go to the one
 * `invoke` function (the studio backend's), which validates them with the
 * contract's zod schemas, so arguments are checked in exactly one place for
 * both front ends. Events to the renderer go through `send`, typed by
 * `IpcEventMap`.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  IPC_INVOKE_CHANNELS,
  type IpcEventChannel,
  type IpcEventPayload,
  type IpcInvokeChannel,
} from '../shared/contract';
import { StudioRejectedError } from '../studio/errors';

/** Runs one call that passed the sender gate: validates `rawArgs` and answers (StudioBackend.invoke). */
export type IpcInvoke = (channel: IpcInvokeChannel, rawArgs: unknown[]) => Promise<unknown>;

export interface IpcManagerOptions {
  /** Whether a frame URL belongs to our renderer. */
  isTrustedSenderUrl: (url: string) => boolean;
  /** Where rejected calls and handler failures are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** Thrown (and so rejected in the renderer) when a call fails the sender gate. */
export class IpcRejectedError extends StudioRejectedError {
  override name = 'IpcRejectedError';
}

export class IpcManager {
  private readonly registered = new Set<IpcInvokeChannel>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: IpcManagerOptions) {
    this.log = options.log ?? ((message) => console.warn(`[ipc] ${message}`));
  }

  /** Registers every invoke channel of the contract, all answered by `invoke` after the sender gate. */
  handleAll(invoke: IpcInvoke): void {
    for (const channel of IPC_INVOKE_CHANNELS) this.handle(channel, invoke);
  }

  private handle(channel: IpcInvokeChannel, invoke: IpcInvoke): void {
    if (this.registered.has(channel)) {
      throw new Error(`IPC handler for "${channel}" is already registered`);
    }
    ipcMain.handle(channel, async (event, ...rawArgs: unknown[]) => {
      this.assertTrustedSender(event, channel);
      try {
        return await invoke(channel, rawArgs);
      } catch (error) {
        this.log(`"${channel}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        throw error;
      }
    });
    this.registered.add(channel);
  }

  /** Sends an event to one renderer; a destroyed target is skipped silently. */
  send<E extends IpcEventChannel>(target: WebContents, channel: E, payload: IpcEventPayload<E>): void {
    if (target.isDestroyed()) return;
    target.send(channel, payload);
  }

  /** Removes every handler this manager registered. */
  dispose(): void {
    for (const channel of this.registered) ipcMain.removeHandler(channel);
    this.registered.clear();
  }

  private assertTrustedSender(event: IpcMainInvokeEvent, channel: IpcInvokeChannel): void {
    // senderFrame is null when the frame has navigated away or been destroyed
    // since it sent the message.
    const frame = event.senderFrame;
    const url = frame?.url ?? '';
    if (!frame || !this.options.isTrustedSenderUrl(url)) {
      this.log(`rejected "${channel}" from untrusted sender ${url || '(gone)'}`);
      throw new IpcRejectedError(`"${channel}" is not available to this page`);
    }
  }
}
