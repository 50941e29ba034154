// A strict host's module: every entry, types included, as an ES module.
import {
  createHabilitations,
  errorMessage,
  httpStatusOf,
  problemDetails,
  ERROR_CODES,
  type DomainError,
  type DomainErrorCode,
  type HabilitationsStore,
  type ProblemDetails,
} from "habilitations";
import { createMemoryStore } from "habilitations/memory";
import { createPostgresStore, migrate } from "habilitations/postgres";
import { runStoreContract, type StoreContractOptions } from "habilitations/testing";
import type { Pool } from "pg";

const store: HabilitationsStore = createMemoryStore();
const app = createHabilitations({ store });

export async function register(login: string): Promise<{ status: number; body: unknown }> {
  const r = await app.registerUser({ login, lastName: "Martin", firstName: "Alice" });
  if (!r.ok) {
    const problem: ProblemDetails = problemDetails(r.error);
    return { status: httpStatusOf(r.error), body: problem };
  }
  return { status: 201, body: { id: r.value.user.id } };
}

export const codes: readonly DomainErrorCode[] = ERROR_CODES;
export const message = (error: DomainError): string => errorMessage(error);

export async function overPostgres(pool: Pool): Promise<HabilitationsStore> {
  await migrate(pool);
  return createPostgresStore(pool);
}

export function contract(options: StoreContractOptions): void {
  runStoreContract(options);
}
