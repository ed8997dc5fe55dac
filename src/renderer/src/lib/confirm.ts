/**
 * Confirmation for destructive actions (stop a run, delete a run). Element
 * Plus focuses the confirm button by default, so one Enter after Esc would
 * stop a training; here nothing is focused but the dialog itself, and Enter
 * does nothing until the user chooses a button.
 */
import { ElMessageBox } from 'element-plus';

export interface DestructiveConfirm {
  title: string;
  message: string;
  /** The destructive button's text, e.g. "Stop" or "Delete". */
  confirm: string;
  cancel: string;
  /** Style the confirm button as dangerous (red). */
  danger?: boolean;
}

/** Ask before a destructive action; resolves true only when the user confirms. */
export async function confirmDestructive(opts: DestructiveConfirm): Promise<boolean> {
  try {
    await ElMessageBox.confirm(opts.message, opts.title, {
      confirmButtonText: opts.confirm,
      cancelButtonText: opts.cancel,
      type: 'warning',
      autofocus: false,
      ...(opts.danger ? { confirmButtonClass: 'el-button--danger' } : {}),
    });
    return true;
  } catch {
    return false;
  }
}
