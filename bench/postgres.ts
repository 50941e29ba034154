// The PostgreSQL figure of SPEC §6 (filled in with the PostgreSQL store).
import type { Figure } from "./run.js";

export async function postgresFigures(_options: { quick: boolean; rounds: number }): Promise<Figure[]> {
  return [];
}
