// Breaking-change check: every breaking change between schema/released.graphql (the schema of the
// last release) and schema/schema.graphql (what the code builds) must be listed, by its schema
// coordinate in backticks (`Query.tenant`), under "## Unreleased" in CHANGELOG.md. So a breaking
// change is always a deliberate one, and clients read about it before they meet it.
// `npm run schema:changes` prints every change; at a release, copy schema.graphql to released.graphql.
import { readFileSync } from 'node:fs';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const released = buildSchema(readFileSync('schema/released.graphql', 'utf8'));
const current = buildSchema(readFileSync('schema/schema.graphql', 'utf8'));
const changes = await diff(released, current);
const changelog = readFileSync('CHANGELOG.md', 'utf8');
const unreleased = /## Unreleased\n([\s\S]*?)(\n## |$)/.exec(changelog)?.[1] ?? '';

const level = (change) => change.criticality.level;
for (const change of changes) console.log(`${level(change).padEnd(13)} ${change.path ?? ''}: ${change.message}`);
const breaking = changes.filter((change) => level(change) === CriticalityLevel.Breaking);
const unlisted = breaking.filter((change) => !unreleased.includes(`\`${change.path}\``));
console.log(`\n${changes.length} changes since the released schema, ${breaking.length} breaking.`);
if (unlisted.length) {
  console.error('Breaking changes not listed under "## Unreleased" in CHANGELOG.md (name each by its coordinate in backticks):');
  for (const change of unlisted) console.error(`  \`${change.path}\`: ${change.message}`);
  process.exit(1);
}
