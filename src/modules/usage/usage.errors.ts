import type { UsageRejectionCode } from './usage.types.js';

/** Why one record of a batch is refused: reported by its index, while the batch goes on with the others. */
export class RecordRejected extends Error {
  constructor(
    readonly code: UsageRejectionCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
