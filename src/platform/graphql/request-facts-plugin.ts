import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { RequestContext } from '../../context.js';
import { noteErrorCode } from '../http/request-facts.js';

/** Fills an HTTP request's facts (platform/http/request-facts.ts) with its operation and the codes of the errors it answers. */
export function requestFactsPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const facts = contextValue.requestFacts;
      if (!facts) return;
      return {
        async didResolveOperation({ operation, operationName, document }) {
          if (!operation) return;
          facts.operationType = operation.operation;
          if (operationName) facts.operationName = operationName;
          facts.rootFields = rootFields(operation.selectionSet, document);
        },
        async willSendResponse({ response }) {
          if (response.body.kind === 'single') for (const error of response.body.singleResult.errors ?? []) noteErrorCode(facts, error.extensions?.code);
        },
      };
    },
  };
}

/** The fields an operation selects at its root, through fragments. */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document);
    const fragment = document.definitions.find((definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(fragment.selectionSet, document) : [];
  });
}
