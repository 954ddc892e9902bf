// Module-customization hooks (registered by record-loads.ts): append every URL the ESM loader
// resolves to the file named by TXMQ_LOAD_LOG, one a line.
import { appendFileSync } from 'node:fs';

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string }> {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env.TXMQ_LOAD_LOG!, `${result.url}\n`);
  return result;
}
