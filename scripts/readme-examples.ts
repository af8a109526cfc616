/**
 * README's example operations, run in order against `npm start`'s demo exactly as written (.ci/run
 * does, after starting it): `npm run readme:examples -- --url http://127.0.0.1:4000/graphql
 * --server-log server.log`, the log holding what the server printed at start.
 *
 * An example's first line names the demo token it is sent with ("# Token: Nebula admin"), by the
 * name the server prints next to it. An id written `bil_...` stands for the last id of that type an
 * example above returned. A query or mutation passes with no errors, no userErrors and no
 * rejections, and every export link in its answer opens without a header; a subscription passes
 * when the server accepts it and it has had an event by the end (the examples after it cause one).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { getOperationAST, parse, type FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

export interface ReadmeExample {
  /** 1 for the first example in README. */
  number: number;
  /** The demo token's name, from the example's first line. */
  tokenName: string | null;
  operation: string;
}

export function readmeExamples(markdown: string): ReadmeExample[] {
  return [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match, index) => ({
    number: index + 1,
    tokenName: /^# Token: (.+)\n/.exec(match[1])?.[1].trim() ?? null,
    operation: match[1],
  }));
}

/** The demo tokens the server printed at start, by name. */
function printedTokens(serverLog: string): Map<string, string> {
  return new Map([...serverLog.matchAll(/^ {2}[A-Z_]+ +(\S.*?) +(bpat_\w+)$/gm)].map((match) => [match[1], match[2]]));
}

const ID = /\b([a-z]{3})_[0-9A-HJKMNP-TV-Z]{26}\b/g;
const PLACEHOLDER = /"([a-z]{3})_\.\.\."/g;

interface Watch {
  example: ReadmeExample;
  field: string;
  events: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  error: unknown;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, 'server-log': { type: 'string' }, readme: { type: 'string', default: 'README.md' } } });
  if (!values.url || !values['server-log']) throw new Error('usage: readme-examples --url <GraphQL URL> --server-log <what npm start printed>');
  const url = values.url;
  const tokens = printedTokens(readFileSync(values['server-log'], 'utf8'));
  const examples = readmeExamples(readFileSync(values.readme, 'utf8'));
  const lastIds = new Map<string, string>();
  const sockets = new Map<string, Client>();
  const watches: Watch[] = [];
  let failures = 0;
  const fail = (example: ReadmeExample, reason: string) => {
    failures += 1;
    console.error(`✗ example ${example.number}: ${reason}\n${example.operation}`);
  };

  for (const example of examples) {
    const token = example.tokenName ? tokens.get(example.tokenName) : undefined;
    if (!token) {
      fail(example, `its first line must be "# Token: <name>", one of: ${[...tokens.keys()].join(', ')}`);
      continue;
    }
    const missing = [...example.operation.matchAll(PLACEHOLDER)].map((match) => match[1]).filter((prefix) => !lastIds.has(prefix));
    if (missing.length) {
      fail(example, `no example above returned an id for ${missing.map((prefix) => `${prefix}_...`).join(', ')}`);
      continue;
    }
    const query = example.operation.replace(PLACEHOLDER, (_placeholder, prefix: string) => `"${lastIds.get(prefix)}"`);
    const operation = getOperationAST(parse(query));
    const fields = operation?.selectionSet.selections.map((selection) => (selection.kind === 'Field' ? selection.name.value : '...')).join(', ');
    const label = `example ${example.number}, ${operation?.operation} ${fields} (${example.tokenName})`;

    if (operation?.operation === 'subscription') {
      const socket = sockets.get(token) ?? connect(url, token);
      sockets.set(token, socket);
      const watch: Watch = { example, field: fields ?? '', events: [], error: null };
      watches.push(watch);
      socket.subscribe(
        { query },
        {
          next: (event) => {
            watch.events.push(event);
            remember(lastIds, event.data);
          },
          error: (error) => (watch.error = error),
          complete: () => undefined,
        },
      );
      // Answered on the same socket after the subscribe message: by then the subscription listens.
      await new Promise<void>((resolve, reject) =>
        socket.subscribe({ query: '{ viewer { role } }' }, { next: () => undefined, error: reject, complete: resolve }),
      );
      if (watch.error) fail(example, `refused: ${JSON.stringify(watch.error)}`);
      else console.log(`✓ ${label}: listening`);
      continue;
    }

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const answer = (await response.json()) as FormattedExecutionResult;
    const refusals = answer.data ? refusalsIn(answer.data) : [];
    if (answer.errors?.length || refusals.length || !answer.data) {
      fail(example, `HTTP ${response.status}: ${JSON.stringify(answer.errors ?? refusals)}`);
      continue;
    }
    remember(lastIds, answer.data);
    const links = await openExportLinks(url, answer.data);
    if (links.broken.length) {
      fail(example, `export links that do not open without a header: ${links.broken.join('; ')}`);
      continue;
    }
    console.log(`✓ ${label}: ${JSON.stringify(answer.data).length} bytes of data${links.opened ? `, ${links.opened} export links open` : ''}`);
  }

  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && watches.some((watch) => watch.events.length === 0 && !watch.error)) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const watch of watches) {
    const errors = watch.error ?? watch.events.find((event) => event.errors?.length)?.errors;
    if (errors) fail(watch.example, `${watch.field} failed: ${JSON.stringify(errors)}`);
    else if (watch.events.length === 0) fail(watch.example, `${watch.field} had no event in 5 s after the examples below it ran`);
    else
      console.log(
        `✓ example ${watch.example.number}, subscription ${watch.field}: ${watch.events.length} event(s), the first ${JSON.stringify(watch.events[0].data)}`,
      );
  }
  await Promise.all([...sockets.values()].map((socket) => socket.dispose()));
  console.log(`\n${examples.length} README examples, ${failures} failed.`);
  if (failures) process.exit(1);
}

function connect(url: string, token: string): Client {
  return createClient({ url: url.replace(/^http/, 'ws'), connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
}

/** Notes every id in an answer, in order: the last of each type is what `xxx_...` stands for next. */
function remember(lastIds: Map<string, string>, data: unknown): void {
  for (const match of JSON.stringify(data ?? null).matchAll(ID)) lastIds.set(match[1], match[0]);
}

/** Opens the signed export links in an answer as they are, without a header: how many, and those that did not answer 200. */
async function openExportLinks(apiUrl: string, data: unknown): Promise<{ opened: number; broken: string[] }> {
  const origin = new URL(apiUrl).origin;
  const links = [...JSON.stringify(data).matchAll(/"(https?:[^"]+\/exports\/[^"]+)"/g)].map((match) => match[1]).filter((link) => link.startsWith(origin));
  const broken: string[] = [];
  for (const link of links) {
    const response = await fetch(link);
    await response.arrayBuffer();
    if (response.status !== 200) broken.push(`${response.status} ${new URL(link).pathname}`);
  }
  return { opened: links.length, broken };
}

/** Every non-empty userErrors or rejections list in an answer. */
function refusalsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(refusalsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    (key === 'userErrors' || key === 'rejections') && Array.isArray(inner) && inner.length ? inner : refusalsIn(inner),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
