import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../../context.js';
import { noteErrorCode } from '../http/request-facts.js';
import { rootFields } from './root-fields.js';

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
