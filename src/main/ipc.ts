/**
 * The one place main registers IPC handlers.
 *
 * Every invoke goes through the same gate before its handler runs:
 *  1. the sender frame must still exist and its URL must be our renderer
 *     (file:// of our index.html, or the dev server) - never another page;
 *  2. the arguments must parse with the channel's zod schema from
 *     src/shared/ipc.ts.
 * Handlers therefore receive typed, validated arguments and never see raw
 * renderer input. Events to the renderer go through `send`, typed by
 * `IpcEventMap`.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { z } from 'zod';
import { describeArgIssues } from '../studio/errors';
import {
  IPC_INVOKE_ARG_SCHEMAS,
  IPC_INVOKE_CHANNELS,
  type IpcEventChannel,
  type IpcEventPayload,
  type IpcInvokeChannel,
  type IpcInvokeResult,
  type IpcParsedArgs,
} from '../shared/ipc';

export interface IpcHandlerContext {
  event: IpcMainInvokeEvent;
  sender: WebContents;
}

export type IpcInvokeHandler<C extends IpcInvokeChannel> = (
  context: IpcHandlerContext,
  ...args: IpcParsedArgs<C>
) => IpcInvokeResult<C> | Promise<IpcInvokeResult<C>>;

export type IpcInvokeHandlers = { [C in IpcInvokeChannel]: IpcInvokeHandler<C> };

export interface IpcManagerOptions {
  /** Whether a frame URL belongs to our renderer. */
  isTrustedSenderUrl: (url: string) => boolean;
  /** Where rejected calls and handler failures are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** Thrown (and so rejected in the renderer) when a call fails the gate. */
export class IpcRejectedError extends Error {
  override name = 'IpcRejectedError';
}

export class IpcManager {
  private readonly registered = new Set<IpcInvokeChannel>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: IpcManagerOptions) {
    this.log = options.log ?? ((message) => console.warn(`[ipc] ${message}`));
  }

  /**
   * Registers a handler for every invoke channel at once; the type requires
   * one for each channel in `IPC_INVOKE_CHANNELS`.
   */
  handleAll(handlers: IpcInvokeHandlers): void {
    for (const channel of IPC_INVOKE_CHANNELS) {
      this.handle(channel, handlers[channel] as IpcInvokeHandler<typeof channel>);
    }
  }

  handle<C extends IpcInvokeChannel>(channel: C, handler: IpcInvokeHandler<C>): void {
    if (this.registered.has(channel)) {
      throw new Error(`IPC handler for "${channel}" is already registered`);
    }
    const schema = IPC_INVOKE_ARG_SCHEMAS[channel] as unknown as z.ZodType<IpcParsedArgs<C>>;

    ipcMain.handle(channel, async (event, ...rawArgs: unknown[]) => {
      this.assertTrustedSender(event, channel);

      const parsed = schema.safeParse(rawArgs);
      if (!parsed.success) {
        const reason = describeArgIssues(parsed.error);
        this.log(`rejected "${channel}": invalid arguments: ${reason}`);
        throw new IpcRejectedError(`Invalid arguments for "${channel}": ${reason}`);
      }

      try {
        return await handler({ event, sender: event.sender }, ...parsed.data);
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
