import { Field, ObjectType, type ClassType } from 'type-graphql';
import { UserError } from './user-error.types.js';

/**
 * Builds a mutation payload type: the changed object under `field` (null when the mutation
 * refused its input) and `userErrors`.
 */
export function payloadType<N extends object>(name: string, field: string, nodeType: ClassType<N>, description: string) {
  @ObjectType(name, { description })
  class Payload {
    @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
    userErrors!: UserError[];
  }
  Field(() => nodeType, { nullable: true, description: `The ${field}; null when userErrors is not empty.` })(Payload.prototype, field);
  return Payload;
}
