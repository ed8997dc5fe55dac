import type { IpcInvokeHandlers } from '../ipc';
import { appInfo } from './app';

/** One handler per invoke channel; the type fails to compile if one is missing. */
export const invokeHandlers: IpcInvokeHandlers = {
  'app:info': appInfo,
};
