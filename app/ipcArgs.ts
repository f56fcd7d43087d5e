// The schemas main checks every renderer IPC request against (app/main.ts `handle`): a
// compromised page must not get past main with odd values.
import * as v from 'valibot';
import { MAX_TEXT_FILE_BYTES } from '../engine/protocol/messages.js';

const path = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));

export const IPC_ARGS = {
  path: v.tuple([path]),
  write: v.tuple([path, v.pipe(v.string(), v.maxLength(MAX_TEXT_FILE_BYTES))]),
  dialog: v.tuple([
    v.optional(
      v.strictObject({
        title: v.optional(v.pipe(v.string(), v.maxLength(200))),
        defaultName: v.optional(v.pipe(v.string(), v.maxLength(255))),
      }),
    ),
  ]),
  none: v.tuple([]),
} as const;
