import { BigIntType } from '@mikro-orm/core';

/**
 * A bigint column read as a JS number (counts of requests, tokens, images: far below 2^53). A
 * function, not a constant: MikroORM keeps (and mutates) each property's options object, so every
 * property needs its own.
 */
export const countColumn = () => ({ type: new BigIntType('number') }) as const;
