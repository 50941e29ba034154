// The memory store's projection for the CSV export (guide §5): per chunk of a structure's
// search index (up to about 1 000 users, in search order), the export's rows of its users
// (`UserExportRow`) kept in one flat string and a few arrays, made in one go the first time
// an export reads the chunk and dropped when the chunk changes (a user added, removed, or
// changed in a field the export reads). A page of the export then reads a few contiguous
// blocks instead of a thousand user records scattered over the heap; the strings it hands
// out are slices of the block.
import type { ExportedAttachment, UserExportRow } from "../core/search/csv.js";
import type { AccountStatus, Instant, StructureId, User, UserId } from "../core/index.js";
import type { UserSlot } from "./records.js";

/** The cells of a user kept in the block's text, in this order. */
const CELLS = 7; // id, lastName, firstName, login, contactEmail, phone, createdAt

const PHONE_NULL = 1;
const CONTACT_IS_LOGIN = 2;

/**
 * The export's rows of a chunk's users, in the chunk's order. Each cell's end in `ends`
 * (`CELLS` a user); `flags` say a phone absent (null, not "") and a contact address that
 * is the login (kept once); the attachments are frozen, shared with the users of the
 * chunk who have the same ones.
 */
export class ExportBlock {
  private constructor(
    private readonly text: string,
    private readonly ends: Int32Array,
    private readonly flags: Uint8Array,
    private readonly status: readonly AccountStatus[],
    private readonly createdFor: readonly (StructureId | null)[],
    private readonly attachments: readonly (readonly ExportedAttachment[])[],
  ) {}

  /** The block of these users (a chunk's slots), read from their records now. */
  static of(slots: readonly UserSlot[]): ExportBlock {
    const n = slots.length;
    const ends = new Int32Array(n * CELLS);
    const flags = new Uint8Array(n);
    const status: AccountStatus[] = new Array<AccountStatus>(n);
    const createdFor: (StructureId | null)[] = new Array<StructureId | null>(n);
    const attachments: (readonly ExportedAttachment[])[] = new Array<readonly ExportedAttachment[]>(n);
    /** The attachments already made for this block, by structure, role, start and end: shared. */
    const shared = new Map<string, readonly ExportedAttachment[]>();
    // The cells in one array, joined once into one flat string (a rope of thousands of
    // pieces would be flattened at the first slice, at about the same cost, and more garbage).
    const cells: string[] = [];
    let end = 0;
    const put = (cell: string, at: number) => {
      cells.push(cell);
      end += cell.length;
      ends[at] = end;
    };
    for (let i = 0; i < n; i++) {
      const user: User = (slots[i] as UserSlot).row.value;
      let f = 0;
      const e = i * CELLS;
      put(user.id, e);
      put(user.lastName, e + 1);
      put(user.firstName, e + 2);
      put(user.login, e + 3);
      if (user.contactEmail === user.login) f |= CONTACT_IS_LOGIN;
      put(user.contactEmail === user.login ? "" : user.contactEmail, e + 4);
      if (user.phone === null) f |= PHONE_NULL;
      put(user.phone ?? "", e + 5);
      put(user.createdAt, e + 6);
      flags[i] = f;
      status[i] = user.status;
      createdFor[i] = user.createdFor;
      attachments[i] = attachmentsOf(user, shared);
    }
    const text = cells.join("");
    return new ExportBlock(text, ends, flags, status, createdFor, attachments);
  }

  /** The export row of the user at this index of the chunk: a new frozen object. */
  row(i: number): UserExportRow {
    const t = this.text;
    const ends = this.ends;
    const e = i * CELLS;
    const start = e === 0 ? 0 : (ends[e - 1] as number);
    const f = this.flags[i] as number;
    const login = t.slice(ends[e + 2], ends[e + 3]);
    return Object.freeze({
      id: t.slice(start, ends[e]) as UserId,
      lastName: t.slice(ends[e], ends[e + 1]),
      firstName: t.slice(ends[e + 1], ends[e + 2]),
      login,
      contactEmail: (f & CONTACT_IS_LOGIN) !== 0 ? login : t.slice(ends[e + 3], ends[e + 4]),
      phone: (f & PHONE_NULL) !== 0 ? null : t.slice(ends[e + 4], ends[e + 5]),
      status: this.status[i] as AccountStatus,
      createdAt: t.slice(ends[e + 5], ends[e + 6]) as Instant,
      createdFor: this.createdFor[i] as StructureId | null,
      attachments: this.attachments[i] as readonly ExportedAttachment[],
    });
  }
}

/** A user's attachments as the export reads them, frozen, shared within a block when equal. */
function attachmentsOf(user: User, shared: Map<string, readonly ExportedAttachment[]>): readonly ExportedAttachment[] {
  // Each part after its length: no two lists of attachments share a key.
  let key = "";
  for (const a of user.attachments)
    key += `${a.structureId.length}:${a.structureId}${a.role.length}:${a.role}${a.validFrom.length}:${a.validFrom}${a.validUntil === null ? "-" : `${a.validUntil.length}:${a.validUntil}`}`;
  let found = shared.get(key);
  if (found === undefined) {
    found = Object.freeze(user.attachments.map((a) => Object.freeze({ structureId: a.structureId, role: a.role, validFrom: a.validFrom, validUntil: a.validUntil })));
    shared.set(key, found);
  }
  return found;
}

/**
 * Whether a new version of a user changes its export row in a way the search index does
 * not see (the index sees names, login, status and structures): its contact address, phone
 * or creation date.
 */
export function exportCellsChanged(before: User, after: User): boolean {
  return before.contactEmail !== after.contactEmail || before.phone !== after.phone || before.createdAt !== after.createdAt;
}
