/**
 * Domain failures that are not the caller's input mistakes. Each maps to one GraphQL
 * `extensions.code` in graphql/error-formatting.ts; anything else is masked as INTERNAL_SERVER_ERROR.
 */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'RATE_LIMITED';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly field?: readonly string[];
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'A valid access token is required: send "Authorization: Bearer <token>".') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'Your role does not allow this operation.') {
    super(message);
  }
}

/** Also what a tenant user gets for another tenant's object: existence is never leaked. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(typeName: string, id: string) {
    super(`No ${typeName} with id "${id}".`);
  }
}

export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    override readonly field: readonly string[],
  ) {
    super(message);
  }
}
