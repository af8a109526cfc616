import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserErrorCode, type UserErrorData } from '../user-errors.js';

registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation refused its input. Stable: clients may switch on it.',
});

@ObjectType('UserError', { description: 'An expected failure of a mutation, to show next to the field it names.' })
export class UserError implements UserErrorData {
  @Field(() => UserErrorCode, { description: 'Machine-readable reason.' })
  code!: UserErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, from the argument: ["input", "name"]. Null when no one field is.',
  })
  field!: string[] | null;

  @Field({ description: 'Human-readable explanation naming the field and the rule.' })
  message!: string;
}
