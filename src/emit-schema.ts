/** Writes schema/schema.graphql from the code: `npm run build && npm run schema`. */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildAppSchema, printAppSchema } from './modules/schema';

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'schema', 'schema.graphql');

async function main(): Promise<void> {
  const schema = await buildAppSchema(null);
  fs.writeFileSync(SCHEMA_FILE, printAppSchema(schema));
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
