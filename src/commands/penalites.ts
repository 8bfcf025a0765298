import type { Context } from '../context.js';
export async function runPenalites(_c: Context, _n: string, _o: object): Promise<number> {
  return 0;
}
