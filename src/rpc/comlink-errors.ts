import * as Comlink from 'comlink';
import { AppError, type ErrorCode } from '../core/errors';

/**
 * Comlink copies only `name`, `message` and `stack` of a thrown error across the worker boundary.
 * This handler keeps `AppError`s whole (code and detail), so the UI can branch on `code`.
 * Both sides of every worker must call it before the first message.
 */
interface SerializedAppError {
  isAppError: true;
  code: ErrorCode;
  message: string;
  detail: string | undefined;
}

type ThrowHandler = Comlink.TransferHandler<{ value: unknown }, unknown>;

let installed = false;

export function installAppErrorTransfer(): void {
  if (installed) return;
  const original = Comlink.transferHandlers.get('throw') as ThrowHandler | undefined;
  if (!original) throw new Error('comlink has no "throw" transfer handler');
  const handler: ThrowHandler = {
    canHandle: (value): value is { value: unknown } => original.canHandle(value),
    serialize(thrown) {
      const error = thrown.value;
      if (error instanceof AppError) {
        const serialized: SerializedAppError = {
          isAppError: true,
          code: error.code,
          message: error.message,
          detail: error.detail,
        };
        return [serialized, []];
      }
      return original.serialize(thrown);
    },
    deserialize(serialized) {
      const value = serialized as Partial<SerializedAppError>;
      if (value && value.isAppError === true && value.code && value.message !== undefined) {
        throw new AppError(value.code, value.message, { detail: value.detail });
      }
      return original.deserialize(serialized);
    },
  };
  Comlink.transferHandlers.set('throw', handler);
  installed = true;
}
