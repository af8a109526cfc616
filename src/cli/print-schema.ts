import { writeFile } from 'node:fs/promises';
import { printAppSchema } from '../schema.js';

/** Prints the schema to schema/schema.graphql, or to stdout with --stdout (CI compares the two). */
const printed = await printAppSchema();
if (process.argv.includes('--stdout')) process.stdout.write(printed + '\n');
else await writeFile('schema/schema.graphql', printed + '\n');
