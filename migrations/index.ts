import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000252_Initial } from './Migration20261124000252_Initial.js';

/** Every migration, in order. `npm run migration:create` writes a new file; add it here. */
export const MIGRATIONS: MigrationObject[] = [{ name: 'Migration20261124000252_Initial', class: Migration20261124000252_Initial }];
