import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/** An error the API answered, with its code (UNAUTHENTICATED, FORBIDDEN, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** The API as the console's signed-in user calls it: HTTP for queries and mutations, one graphql-ws connection for every subscription. */
export class Api {
  private socket: Client | null = null;

  constructor(readonly token: string) {}

  async request<Data, Variables>(document: TypedDocumentNode<Data, Variables>, variables?: Variables): Promise<Data> {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as { data?: Data; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) throw new ApiError(body.errors.map((error) => error.message).join(' '), body.errors[0].extensions?.code);
    return body.data!;
  }

  /** Calls `next` with each event until the returned function is called. */
  subscribe<Data, Variables>(document: TypedDocumentNode<Data, Variables>, variables: Variables, next: (data: Data) => void): () => void {
    this.socket ??= createClient({
      url: `${location.origin.replace(/^http/, 'ws')}/graphql`,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 1_000_000,
    });
    return this.socket.subscribe<Data>(
      { query: print(document), variables: variables as Record<string, unknown> },
      { next: ({ data }) => data && next(data), error: (error) => console.error('subscription ended', error), complete: () => undefined },
    );
  }

  close(): void {
    void this.socket?.dispose();
  }
}
