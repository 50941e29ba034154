// Data for the benchmarks: plain records built directly (the pure layer) or committed
// straight to a store in large batches (the application layer), so setting up 100 000
// members takes seconds, not minutes. Like production: ids and names are random (from a
// seeded generator, so every run gets the same), never in the order they were created.
// Everything comes from the built package (`habilitations`), as a host imports it.
import {
  attachmentRequestId,
  localDate,
  serviceId,
  structureId,
  userId,
  type Attachment,
  type HabilitationsStore,
  type Instant,
  type PendingAttachmentRequest,
  type Service,
  type SpaceCode,
  type SpaceGrant,
  type Structure,
  type StructureId,
  type User,
  type UserId,
  type Write,
} from "habilitations";

export const AT = "2026-11-27T08:00:00.000Z" as Instant;

/** A seeded generator (mulberry32): numbers in [0, 1), the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20261127);
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A random id, shaped like the ones a host mints (`usr_k3j9…`): no order to exploit. */
export function randomId(prefix: string, rand: () => number = random): string {
  let id = `${prefix}_`;
  for (let i = 0; i < 16; i++) id += ALPHABET[Math.floor(rand() * 36)];
  return id;
}

const SYLLABLES = ["ber", "lan", "mo", "reau", "du", "val", "ri", "chet", "gau", "tier", "le", "fè", "vre", "bou", "cher", "pe", "tit", "ma", "rot", "gi", "rard", "ro", "ux", "fa", "ure", "ni", "co", "las", "bru", "net"];

/** A random last and first name: common French names, a compound in three, so most pairs are unique. */
export function randomNames(rand: () => number = random): { lastName: string; firstName: string } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  let lastName = pick(LAST_NAMES);
  if (rand() < 0.6) {
    const made = pick(SYLLABLES) + pick(SYLLABLES) + (rand() < 0.5 ? pick(SYLLABLES) : "");
    lastName = rand() < 0.5 ? `${made.charAt(0).toUpperCase()}${made.slice(1)}` : `${lastName}-${made.charAt(0).toUpperCase()}${made.slice(1)}`;
  }
  return { lastName, firstName: pick(FIRST_NAMES) };
}
export const NOW = new Date(AT);
/**
 * The clock the application is given: always `AT`, but a fresh Date at each call, as a
 * system clock gives one, so that nothing the library keeps from one call (by the Date's
 * identity) is shared between commands as it never is in production.
 */
export const clock = (): Date => new Date(NOW.getTime());
export const TODAY = localDate("2026-11-27");

export function structure(id: string, primary: string): Structure {
  return {
    id: structureId(id),
    designation: `Structure ${id}`,
    kind: "public",
    viaPigp: false,
    identifier: { type: "other", value: id },
    primaryManagerId: userId(primary),
    openSpaces: [],
    createdAt: AT,
  };
}

export function service(id: string, s: string, code: string): Service {
  return { id: serviceId(id), structureId: structureId(s), code, label: code, active: true, openSpaces: [], createdAt: AT };
}

export function attachment(s: StructureId, role: "user" | "secondaryManager" = "user", services?: readonly string[]): Attachment {
  return {
    structureId: s,
    role,
    scope: services === undefined ? { kind: "structure" } : { kind: "services", serviceIds: services.map(serviceId) },
    validFrom: TODAY,
    validUntil: null,
    endNotice: null,
    attachedBy: userId("u-primary"),
    attachedAt: AT,
  };
}

export function user(id: string, attachments: readonly Attachment[] = []): User {
  return {
    id: userId(id),
    login: `${id}@example.fr`,
    contactEmail: `${id}@example.fr`,
    lastName: `Nom ${id}`,
    firstName: `Prénom ${id}`,
    status: "active",
    attachments,
    grants: [],
    phone: null,
    postalAddress: null,
    settings: { activityNotifications: "never" },
    createdFor: null,
    activation: null,
    contactEmailChange: null,
    accountEmails: [],
    deactivatedAt: null,
    createdAt: AT,
  };
}

export function pending(id: string, u: string, s: string, services?: readonly string[]): PendingAttachmentRequest {
  return {
    id: attachmentRequestId(id),
    structureId: structureId(s),
    userId: userId(u),
    requestedRole: "user",
    scope: services === undefined ? { kind: "structure" } : { kind: "services", serviceIds: services.map(serviceId) },
    comment: "",
    createdAt: AT,
    status: "pending",
  };
}

async function commitAll(store: HabilitationsStore, writes: Write[]): Promise<void> {
  for (let i = 0; i < writes.length; i += 2000) {
    const r = await store.commit({ writes: writes.slice(i, i + 2000), reads: [], history: [], events: [] });
    if (!r.ok) throw new Error(`seeding failed: ${JSON.stringify(r.error)}`);
  }
}

/**
 * Seeds a structure `s` with its primary manager `${s}-primary`, two services, `members`
 * simple users, and `requests` pending requests by users not yet attached.
 */
export async function seedStructure(
  store: HabilitationsStore,
  s: string,
  members: number,
  requests: number,
  options: { readonly grantsPerMember?: number } = {},
): Promise<{ manager: UserId; requestIds: string[]; services: string[]; members: string[] }> {
  const sid = structureId(s);
  const primary = `${s}-primary`;
  const svc = [service(`${s}-svc-a`, s, "COMPTA"), service(`${s}-svc-b`, s, "RH")];
  const grantsPerMember = options.grantsPerMember ?? 0;
  // Spaces opened on the structure, and a member's grants spread over them and the services.
  const spaces = ["FACTURES_EMISES", "FACTURES_RECUES", "FACTURES_A_VALIDER", "SOLLICITATIONS_EMISES", "SOLLICITATIONS_RECUES"] as SpaceCode[];
  const grantsOf = (sid: StructureId): SpaceGrant[] =>
    Array.from({ length: grantsPerMember }, (_, g) => ({
      structureId: sid,
      space: spaces[g % spaces.length] as SpaceCode,
      serviceId: g % 3 === 0 ? null : (svc[g % 2] as Service).id,
      access: g % 2 === 0 ? "write" : "read",
      grantedBy: userId(primary),
      grantedAt: AT,
      validUntil: null,
      endNotice: null,
    }));
  const memberIds: string[] = [];
  const writes: Write[] = [
    { kind: "structure", value: { ...structure(s, primary), openSpaces: grantsPerMember > 0 ? [...spaces].sort() : [] }, expectedVersion: null },
    ...svc.map((value): Write => ({ kind: "service", value, expectedVersion: null })),
    { kind: "user", value: user(primary, [attachment(sid)]), expectedVersion: null },
  ];
  for (let i = 0; i < members; i++) {
    const id = randomId("usr");
    memberIds.push(id);
    writes.push({ kind: "user", value: { ...user(id, [attachment(sid)]), ...randomNames(), grants: grantsOf(sid) }, expectedVersion: null });
  }
  const requestIds: string[] = [];
  for (let i = 0; i < requests; i++) {
    const u = randomId("usr");
    writes.push({ kind: "user", value: { ...user(u), ...randomNames() }, expectedVersion: null });
    const id = randomId("req");
    writes.push({ kind: "attachmentRequest", value: pending(id, u, s, svc.map((x) => x.id)), expectedVersion: null });
    requestIds.push(id);
  }
  await commitAll(store, writes);
  return { manager: userId(primary), requestIds, services: svc.map((x) => x.id), members: memberIds };
}

const LAST_NAMES = ["Lefèvre", "Lefebvre", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefranc", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier"];
const FIRST_NAMES = ["Élodie", "Marc", "Anne", "Zoé", "Hugo", "Léa", "Chloé", "Louis", "Inès", "Jules", "Manon", "Lucas", "Camille", "Gabriel", "Emma", "Raphaël", "Jade", "Arthur", "Louise", "Noé", "Alice", "Adam", "Lina", "Paul", "Rose", "Nathan", "Anna", "Théo", "Mila", "Tom"];

/**
 * A population for the search figures: `total` users in structures of `perStructure`
 * members each (names drawn from common French names, a status in ten pending, one
 * in four attached to one service), the first three structures managed by one manager.
 */
export async function seedPopulation(
  store: HabilitationsStore,
  prefix: string,
  total: number,
  perStructure: number,
): Promise<{ manager: UserId; structures: string[]; services: string[] }> {
  const manager = `${prefix}-manager`;
  const count = Math.ceil(total / perStructure);
  const structures: string[] = [];
  const services: string[] = [];
  let writes: Write[] = [];
  const flush = async () => {
    await commitAll(store, writes);
    writes = [];
  };
  const managerAttachments: Attachment[] = [];
  for (let k = 0; k < count; k++) {
    const s = `${prefix}-s${String(k).padStart(5, "0")}`;
    structures.push(s);
    const svc = [service(`${s}-a`, s, "ACHATS"), service(`${s}-b`, s, "COMPTA")];
    services.push(svc[0]?.id as string);
    writes.push({ kind: "structure", value: { ...structure(s, manager), designation: `Mairie ${k}` }, expectedVersion: null });
    for (const value of svc) writes.push({ kind: "service", value, expectedVersion: null });
    if (k < 3) managerAttachments.push(attachment(structureId(s)));
    for (let i = 0; i < perStructure && k * perStructure + i < total; i++) {
      const n = k * perStructure + i;
      const id = randomId("usr");
      const a = attachment(structureId(s), "user", n % 4 === 0 ? [svc[n % 8 === 0 ? 0 : 1]?.id as string] : undefined);
      writes.push({
        kind: "user",
        value: {
          ...user(id, [a]),
          lastName: LAST_NAMES[Math.floor(random() * LAST_NAMES.length)] as string,
          firstName: FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)] as string,
          status: n % 10 === 0 ? "pendingActivation" : "active",
          phone: n % 3 === 0 ? "+33 1 23 45 67 89" : null,
        },
        expectedVersion: null,
      });
    }
    if (writes.length > 20_000) await flush();
  }
  writes.push({ kind: "user", value: user(manager, managerAttachments), expectedVersion: null });
  await flush();
  return { manager: userId(manager), structures, services };
}
