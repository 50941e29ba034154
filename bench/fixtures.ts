// Data for the benchmarks: plain records built directly (the pure layer) or committed
// straight to a store in large batches (the application layer), so setting up 100 000
// members takes seconds, not minutes.
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
} from "../src/index.js";

export const AT = "2026-11-27T08:00:00.000Z" as Instant;
export const NOW = new Date(AT);
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
    accountEmailsAt: [],
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
    }));
  const memberIds: string[] = [];
  const writes: Write[] = [
    { kind: "structure", value: { ...structure(s, primary), openSpaces: grantsPerMember > 0 ? [...spaces].sort() : [] }, expectedVersion: null },
    ...svc.map((value): Write => ({ kind: "service", value, expectedVersion: null })),
    { kind: "user", value: user(primary, [attachment(sid)]), expectedVersion: null },
  ];
  for (let i = 0; i < members; i++) {
    const id = `${s}-m${String(i).padStart(7, "0")}`;
    memberIds.push(id);
    writes.push({ kind: "user", value: { ...user(id, [attachment(sid)]), grants: grantsOf(sid) }, expectedVersion: null });
  }
  const requestIds: string[] = [];
  for (let i = 0; i < requests; i++) {
    const u = `${s}-r${String(i).padStart(7, "0")}`;
    writes.push({ kind: "user", value: user(u), expectedVersion: null });
    const id = `${s}-req-${i}`;
    writes.push({ kind: "attachmentRequest", value: pending(id, u, s, svc.map((x) => x.id)), expectedVersion: null });
    requestIds.push(id);
  }
  await commitAll(store, writes);
  return { manager: userId(primary), requestIds, services: svc.map((x) => x.id), members: memberIds };
}
