import { OptionalProps } from '@mikro-orm/core';
import { Property } from '@mikro-orm/decorators/legacy';

/**
 * createdAt / updatedAt kept by the ORM; updatedAt drives ERP `updatedSince` syncs.
 * `Defaulted` names the subclass's other properties that have defaults (optional in `em.create`).
 */
export abstract class Timestamped<Defaulted extends string = never> {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | Defaulted;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
