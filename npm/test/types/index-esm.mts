import { resolveBinary, BatchClient, GuardminPlugin, guardmin, esbuild, RULES, type GuardminFinding } from 'guardmin';
const bin: string = resolveBinary();
const client = new BatchClient(bin);
export async function first(code: string): Promise<GuardminFinding[]> {
  const answer = await client.request({ name: 'a.js', code, mode: 'scan' });
  await client.close();
  return answer.findings;
}
export const things = [new GuardminPlugin(), guardmin(), esbuild({ minify: false }).name, RULES.length];
