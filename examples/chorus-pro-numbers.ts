// The Chorus Pro numbers of the example's records: the API numbers structures and services
// (`idStructureCPP`, `idService`), the library's ids are opaque strings (`str_…`).
//
// ─────────────────────────────────────────────────────────────────────────────────────
// !!! STAND-IN FOR THE HOST'S OWN NUMBERING — NOT FOR PRODUCTION !!!
//
// This numbering lives in the process's memory: a record gets the next number the first
// time a response names it, and a request's number finds the record it was given to. It
// is lost on restart and differs between processes. A real host either uses Chorus Pro's
// numbers as the library's ids (`newId` giving "26346724": the default numbering,
// `DECIMAL_CHORUS_PRO_IDS`, needs nothing), or keeps its numbers in a table of its own,
// loaded in memory (the numbering is synchronous, as the renderers are).
// ─────────────────────────────────────────────────────────────────────────────────────
import type { ChorusProNumbering, ServiceId, StructureId } from "habilitations";

/** Two-way numbers of one kind of record, given in order from 1. */
function numbers<Id extends string>(): { numberOf(id: Id): number; idOf(n: number): Id | undefined } {
  const byId = new Map<Id, number>();
  const byNumber = new Map<number, Id>();
  return {
    numberOf(id) {
      let n = byId.get(id);
      if (n === undefined) {
        n = byId.size + 1;
        byId.set(id, n);
        byNumber.set(n, id);
      }
      return n;
    },
    idOf: (n) => byNumber.get(n),
  };
}

/**
 * A numbering both ways, in memory (a stand-in: see above). Users have no number: a
 * request names a user by `adresseEmailConnexionUtilisateur`.
 *
 * @example
 * ```ts
 * const ids = standInNumbering();
 * ids.structure(structureId("str_0f…")); // 1
 * ids.structureIdOf(1); // "str_0f…"
 * ```
 */
export function standInNumbering(): ChorusProNumbering {
  const structures = numbers<StructureId>();
  const services = numbers<ServiceId>();
  return {
    structure: structures.numberOf,
    service: services.numberOf,
    structureIdOf: structures.idOf,
    serviceIdOf: services.idOf,
  };
}
