// The memory store's records: each aggregate once, at its version, deep-frozen, by id.
// A user's table entry also carries the user's search-index entry (one object per user:
// the indexes hold that object and reach the record through it, with no look-up).
import type { User } from "../core/index.js";
import type { AggregateKind, AggregateTypes, Versioned } from "../port/store.js";

/** A user's entry in the table: the stored row, and its entry in the search indexes. */
export class UserSlot {
  constructor(
    /** The user at its version, frozen. */
    public row: Versioned<User>,
    /** The search-index entry (`entryOf`) the indexes hold this slot under ("" until indexed). */
    public entry: string,
  ) {}
}

type OtherKind = Exclude<AggregateKind, "user">;

/** Every aggregate, by kind and id. */
export class Records {
  /** Users, by id. */
  readonly users = new Map<string, UserSlot>();
  private readonly others: { [K in OtherKind]: Map<string, Versioned<AggregateTypes[K]>> } = {
    structure: new Map(),
    service: new Map(),
    attachmentRequest: new Map(),
    subscriptionRequest: new Map(),
  };

  /** An aggregate at its version, or null. */
  get<K extends AggregateKind>(kind: K, id: string): Versioned<AggregateTypes[K]> | null {
    if (kind === "user") return (this.users.get(id)?.row ?? null) as Versioned<AggregateTypes[K]> | null;
    return ((this.others[kind as OtherKind] as Map<string, Versioned<AggregateTypes[K]>>).get(id) ?? null);
  }

  /** The aggregates found among these ids (each once). */
  getMany<K extends AggregateKind>(kind: K, ids: readonly string[]): Versioned<AggregateTypes[K]>[] {
    const found: Versioned<AggregateTypes[K]>[] = [];
    const unique = ids.length > 1 ? new Set(ids) : ids;
    for (const id of unique) {
      const row = this.get(kind, id);
      if (row !== null) found.push(row);
    }
    return found;
  }

  /** Saves an aggregate that is not a user (users go through their slot). */
  set<K extends OtherKind>(kind: K, row: Versioned<AggregateTypes[K]>): void {
    (this.others[kind] as Map<string, Versioned<AggregateTypes[K]>>).set(row.value.id, row);
  }

  /** Every row of a kind, in the order they were first saved. */
  rows<K extends AggregateKind>(kind: K): Versioned<AggregateTypes[K]>[] {
    if (kind === "user") return [...this.users.values()].map((slot) => slot.row) as Versioned<AggregateTypes[K]>[];
    return [...(this.others[kind as OtherKind] as Map<string, Versioned<AggregateTypes[K]>>).values()];
  }
}
