// Guide §5, « Rechercher et gérer des utilisateurs »: the search of the users of one's
// structures, the lookup of a person to attach or to name as successor, and the CSV
// export, streamed.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  canManage,
  csvLine,
  DEFAULT_CSV_OPTIONS,
  err,
  exportDate,
  exportStructuresOf,
  normalizeForSearch,
  ok,
  parseExportUsers,
  parseLookupPerson,
  parseSearchUsers,
  personCard,
  roleIn,
  searchKeyOf,
  USER_EXPORT_HEADERS,
  userExportLine,
  type AccountStatus,
  type DomainError,
  type Instant,
  type PersonCard,
  type Result,
  type Role,
  type Structure,
  type StructureId,
  type User,
  type UserId,
  type UserExportRow,
  type UserSearchCriteria,
  type UserSearchQuery,
  UserIdSchema,
  type LocalDate,
  type ExportUsersInput,
  type LookupPersonInput,
  type SearchUsersInput,
} from "../core/index.js";
import { frozenCopy } from "../internal/frozen.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { StoreFailure } from "./options.js";
import { activeActor, clocked, judge, parseActor, Session, shielded, type Clocked, type Deps, type ActorId } from "./runner.js";

/** A user as a search shows them: with their roles in the actor's structures only. */
export interface UserSearchHit {
  readonly id: UserId;
  readonly login: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly status: AccountStatus;
  /** The structures of the actor the user belongs to (`role: null`: an account created for it, not attached). */
  readonly structures: readonly { readonly structureId: StructureId; readonly designation: string; readonly role: Role | null }[];
}

/** A page of a search. */
export interface UserSearchPage {
  readonly items: readonly UserSearchHit[];
  /** The cursor of the next page, or `null` at the end. */
  readonly nextCursor: string | null;
}

/** A CSV export, ready to stream to an HTTP response or a file. */
export interface UserExport {
  readonly contentType: "text/csv; charset=utf-8";
  /** A file name for `Content-Disposition`: `utilisateurs-YYYY-MM-DD.csv`. */
  readonly fileName: string;
  /**
   * The CSV text in chunks of about 64 KiB, read from the store a page at a time as the
   * consumer asks for them (back-pressure: the next page is read while one is written,
   * never more). Iterate it once.
   */
  readonly body: AsyncIterable<string>;
}

/** How many users a lookup by names gives at most. */
export const MAX_LOOKUP_RESULTS = 20;
/** How many users the export reads from the store at a time. */
const EXPORT_PAGE = 1000;
/** About how many characters an export chunk holds. */
const EXPORT_CHUNK = 64 * 1024;

/**
 * A search cursor's position: the last user's id, and a short digest of where they sorted
 * (`searchKeyOf`). No name nor login is readable in it (a cursor travels in URLs and
 * logs); the next page reads that user again and starts after their sort key, if it is
 * still the one the digest names, else the cursor is stale (`VALIDATION`): a cursor
 * never resumes at a guessed place, and a forged one finds nothing about anybody.
 */
const SearchPositionSchema = z.tuple([UserIdSchema, z.string().regex(/^[A-Za-z0-9_-]{16}$/)]);

/** A short digest of a search key, as a cursor names it. */
const keyDigest = (key: string) => createHash("sha256").update(key, "utf8").digest("base64url").slice(0, 16);

/**
 * The CSV text in chunks of about {@link EXPORT_CHUNK} characters: the head, then a row
 * per user, reading the next batch of users only when the consumer asks for more. The
 * head comes with the first batch: a stream whose holder lost the right before its first
 * page (the batches end without any) yields nothing at all.
 */
async function* chunked(head: string, batches: AsyncIterable<readonly UserExportRow[]>, rowOf: (u: UserExportRow) => string): AsyncGenerator<string> {
  let chunk: string | null = null;
  for await (const batch of batches) {
    if (chunk === null) chunk = head;
    for (const u of batch) {
      chunk += rowOf(u);
      if (chunk.length >= EXPORT_CHUNK) {
        yield chunk;
        chunk = "";
      }
    }
  }
  if (chunk !== null && chunk.length > 0) yield chunk;
}

/** What an export's holder may see now: their structures, and today's date. */
interface Judged {
  readonly session: Session;
  readonly managed: ReadonlyMap<StructureId, Structure>;
  readonly today: LocalDate;
}

/** The structures an actor manages now, among those they are attached to, by id. */
async function managedStructures(session: Session, actor: User, ctx: Clocked): Promise<Map<StructureId, Structure>> {
  const ids = actor.attachments.map((a) => a.structureId);
  await session.prefetch({ structure: ids });
  const managed = new Map<StructureId, Structure>();
  for (const id of ids) {
    const s = await session.structure(id);
    if (s !== null && canManage(actor, s.value, ctx.today)) managed.set(id, s.value);
  }
  return managed;
}

/**
 * The store query for the criteria, over the actor's structures: `null` when the
 * criteria leave no structure (another structure named, a designation none matches, a
 * service that is not one of theirs): an empty answer, which says nothing.
 */
async function scopedQuery(
  session: Session,
  managed: ReadonlyMap<StructureId, Structure>,
  criteria: UserSearchCriteria,
): Promise<Omit<UserSearchQuery, "limit" | "after"> | null> {
  let ids = [...managed.keys()];
  if (criteria.structureId !== undefined) ids = ids.filter((id) => id === criteria.structureId);
  if (criteria.designation !== undefined) {
    const wanted = criteria.designation;
    ids = ids.filter((id) => normalizeForSearch((managed.get(id) as Structure).designation).includes(wanted));
  }
  let service: UserSearchQuery["service"];
  if (criteria.serviceId !== undefined) {
    const found = await session.service(criteria.serviceId);
    if (found === null || !ids.includes(found.value.structureId)) return null;
    service = { structureId: found.value.structureId, serviceId: found.value.id };
    ids = [found.value.structureId];
  }
  if (ids.length === 0) return null;
  const query: { -readonly [K in keyof UserSearchQuery]?: UserSearchQuery[K] } = { structureIds: ids.sort() };
  if (service !== undefined) query.service = service;
  if (criteria.lastName !== undefined) query.lastName = criteria.lastName;
  if (criteria.firstName !== undefined) query.firstName = criteria.firstName;
  if (criteria.login !== undefined) query.login = criteria.login;
  if (criteria.status !== undefined) query.status = criteria.status;
  return query as Omit<UserSearchQuery, "limit" | "after">;
}

function hitOf(user: User, managed: ReadonlyMap<StructureId, Structure>): UserSearchHit {
  return {
    id: user.id,
    login: user.login,
    lastName: user.lastName,
    firstName: user.firstName,
    status: user.status,
    structures: exportStructuresOf(user, managed).map((s) => ({ structureId: s.id, designation: s.designation, role: roleIn(s, user) })),
  };
}

/** The answer to a cursor whose anchor moved (renamed) since the page that made it. */
const staleCursor = (): Result<never, DomainError> =>
  err({ code: "VALIDATION", issues: [{ path: ["cursor"], code: "invalid_cursor", message: "n'est pas un curseur de cette liste" }] });

/** Builds the operations of guide §5's search and export. */
export function searchOperations(deps: Deps) {
  const { store } = deps;

  /**
   * A read made while an export is streamed. A store failure there cannot be a result any
   * more (rows were sent): it is told to `onStoreError` and ends the iteration with an
   * `Error` whose `cause` is the store's error.
   */
  async function streamed<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (thrown) {
      if (!(thrown instanceof StoreFailure)) throw thrown;
      try {
        deps.onStoreError?.(thrown.cause, { operation: "exportUsers", stage: "read" });
      } catch {
        // A failing logger must not hide the failure.
      }
      throw new Error("habilitations: the store failed during the export", { cause: thrown.cause });
    }
  }

  return {
    /**
     * Searches the users of the structures the actor manages (guide §5): by last name,
     * first name, login (partial, accent- and case-insensitive: « elodie » finds
     * « Élodie », « lef » finds « Lefèvre »), status, structure designation (partial),
     * one of the actor's structures, a service. One merged list across the actor's
     * structures, each user once, sorted by last name, first name, login, a page at a
     * time with a stable cursor. Users outside the actor's structures are never found:
     * naming another structure or its service gives an empty page, which says nothing
     * about it.
     *
     * Refusals: `VALIDATION` (also a cursor of another list or actor), `FORBIDDEN`
     * (inactive account), `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const page = await app.searchUsers(alice.id, { criteria: { firstName: "elodie", lastName: "lef" }, limit: 20 });
     * if (page.ok) page.value.items.map((u) => `${u.firstName} ${u.lastName}`); // ["Élodie Lefèvre"]
     * ```
     */
    async searchUsers(actor: ActorId, input: SearchUsersInput): Promise<Result<UserSearchPage, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const parsed = parseSearchUsers(input);
      if (!parsed.ok) return parsed;
      const { criteria, limit, cursor } = parsed.value;
      let position: readonly [UserId, string] | undefined;
      if (cursor !== undefined) {
        const decoded = decodeCursor(cursor, "userSearch", actorId.value, SearchPositionSchema);
        if (!decoded.ok) return decoded;
        position = decoded.value as readonly [UserId, string];
      }
      return shielded(deps, "searchUsers", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        await session.prefetch({ user: position === undefined ? [actorId.value] : [actorId.value, position[0]] });
        const found = await activeActor(session, actorId.value);
        if (!found.ok) return found;
        let after: string | undefined;
        if (position !== undefined) {
          const anchor = await session.user(position[0]);
          after = anchor === null ? undefined : searchKeyOf(anchor.value);
          if (after === undefined || keyDigest(after) !== position[1]) return staleCursor();
        }
        const managed = await managedStructures(session, found.value, ctx);
        const scoped = await scopedQuery(session, managed, criteria);
        if (scoped === null) return ok(frozenCopy({ items: [], nextCursor: null }));
        const users = await store.searchUsers(after === undefined ? { ...scoped, limit: limit + 1 } : { ...scoped, after, limit: limit + 1 });
        const page = users.slice(0, limit);
        const last = page[page.length - 1];
        return ok(
          frozenCopy({
            items: page.map((u) => hitOf(u, managed)),
            nextCursor:
              users.length > limit && last !== undefined
                ? encodeCursor("userSearch", actorId.value, [last.id, keyDigest(searchKeyOf(last))])
                : null,
          }),
        );
      });
    },

    /**
     * Looks up a person to attach or to name as successor (guide §3 A, §6), on behalf of
     * a structure the actor manages: by exact login, or by exact last and first names
     * (accent- and case-insensitive, at most {@link MAX_LOOKUP_RESULTS}). It reveals only
     * id, names, masked login and status, never their structures.
     *
     * Refusals: `VALIDATION`, `FORBIDDEN` (not a manager of that structure), `UNKNOWN_ACTOR`.
     *
     * @example
     * ```ts
     * const r = await app.lookupPerson(alice.id, { structureId, login: "hugo.moreau@mairie-lyon.fr" });
     * if (r.ok) r.value[0]?.maskedLogin; // "h*********u@m**********.fr"
     * ```
     */
    async lookupPerson(actor: ActorId, input: LookupPersonInput): Promise<Result<readonly PersonCard[], DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const parsed = parseLookupPerson(input);
      if (!parsed.ok) return parsed;
      const query = parsed.value;
      return shielded(deps, "lookupPerson", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        const judged = await judge(session, actorId.value, query.structureId, ctx.today);
        if (!judged.ok) return judged;
        if ("login" in query) {
          const user = await store.findUserByLogin(query.login);
          return ok(frozenCopy(user === null ? [] : [personCard(user.value)]));
        }
        const users = await store.findUsersByName(query.lastName, query.firstName, MAX_LOOKUP_RESULTS);
        return ok(frozenCopy(users.map(personCard)));
      });
    },

    /**
     * Exports users as CSV (guide §5, « Exporter un fichier CSV »): the users checked
     * (`userIds`, each a user of one of the actor's structures), or every user a search
     * finds (`criteria`, as `searchUsers`: a million users are never a list of a million
     * ids). RFC 4180, `;` and a UTF-8 byte order mark by default (French spreadsheets),
     * `separator: ","` and `bom: false` otherwise; French headers; CRLF line ends. Cells
     * starting with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`
     * against formula injection: a phone « +33 … » is exported as « '+33 … ». The rows
     * come in search order and are read from the store a page at a time as the consumer
     * iterates, the next page while one is written (nothing is held beyond two pages),
     * from the store's export rows (`exportRows`, cells only) where it gives them: users
     * changed during a long export appear as they are when their page is read. Before each
     * page the actor's rights are judged again, and the page's rows show what the actor
     * may see then.
     *
     * Refusals (before any row is written): `VALIDATION`, `FORBIDDEN` (inactive account),
     * `UNKNOWN_ACTOR`, `NOT_FOUND` (a checked user who is not of the
     * actor's structures, as an unknown id).
     *
     * @example
     * ```ts
     * const r = await app.exportUsers(alice.id, { criteria: { lastName: "lef" } });
     * if (r.ok) {
     *   res.setHeader("Content-Type", r.value.contentType);
     *   await pipeline(Readable.from(r.value.body), res); // node:stream/promises
     * }
     * ```
     */
    async exportUsers(actor: ActorId, input: ExportUsersInput): Promise<Result<UserExport, DomainError>> {
      const actorId = parseActor(actor);
      if (!actorId.ok) return actorId;
      const parsed = parseExportUsers(input);
      if (!parsed.ok) return parsed;
      const request = parsed.value;
      const separator = request.separator ?? DEFAULT_CSV_OPTIONS.separator;
      const bom = request.bom ?? DEFAULT_CSV_OPTIONS.bom;
      return shielded(deps, "exportUsers", async () => {
        const ctx = clocked(deps);
        const session = new Session(store);
        const found = await activeActor(session, actorId.value);
        if (!found.ok) return found;
        const opened = await managedStructures(session, found.value, ctx);
        const days = new Map<string, string>();
        let lastAt = "";
        let lastDay = "";
        const dateOf = (at: Instant) => {
          if (at === lastAt) return lastDay;
          lastAt = at;
          const minute = at.slice(0, 16);
          let day = days.get(minute);
          if (day === undefined) {
            if (days.size > 10_000) days.clear();
            day = exportDate(at, deps.timeZone);
            days.set(minute, day);
          }
          lastDay = day;
          return day;
        };
        // Rights are judged when they are used: before each page it reads, the stream
        // reads the actor and their structures again (an export held open while its
        // holder is demoted or removed stops there), and rows show what the actor may
        // see now (`judged`).
        let judged: Judged = { session, managed: opened, today: ctx.today };
        const rejudge = async (): Promise<boolean> => {
          const again = await streamed(async (): Promise<Judged | null> => {
            const fresh = new Session(store);
            const now = clocked(deps);
            const actorNow = await activeActor(fresh, actorId.value);
            if (!actorNow.ok) return null;
            return { session: fresh, managed: await managedStructures(fresh, actorNow.value, now), today: now.today };
          });
          if (again === null || again.managed.size === 0) return false;
          judged = again;
          return true;
        };
        const rowOf = (u: UserExportRow) => userExportLine(u, judged.managed, dateOf, separator, judged.today);
        const head = `${bom ? "\uFEFF" : ""}${csvLine(USER_EXPORT_HEADERS, separator)}`;
        const fileName = `utilisateurs-${ctx.today}.csv`;
        const ofActor = (u: UserExportRow) => exportStructuresOf(u, judged.managed).length > 0;
        // An actor who manages nothing had no users to export in the first place: the
        // header alone, as for a search that finds nobody.
        if (opened.size === 0 && !("userIds" in request)) {
          async function* none(): AsyncGenerator<readonly UserExportRow[]> {
            yield [];
          }
          return ok({ contentType: "text/csv; charset=utf-8" as const, fileName, body: chunked(head, none(), rowOf) });
        }

        if ("userIds" in request) {
          // Checked users: every one must be a user of the actor's structures, checked before
          // any row is written; then written in search order, each page read again (and
          // judged again) when the consumer reaches it.
          const selected: User[] = [];
          for (let i = 0; i < request.userIds.length; i += EXPORT_PAGE) {
            const rows = await store.getUsers(request.userIds.slice(i, i + EXPORT_PAGE));
            const byId = new Map(rows.map((r) => [r.value.id, r.value]));
            for (const id of request.userIds.slice(i, i + EXPORT_PAGE)) {
              const user = byId.get(id);
              if (user === undefined || !ofActor(user)) return err({ code: "NOT_FOUND", entity: "user", id });
              selected.push(user);
            }
          }
          const order = selected
            .map((u) => ({ key: searchKeyOf(u), id: u.id }))
            .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
            .map((x) => x.id);
          async function* users(): AsyncGenerator<readonly User[]> {
            for (let i = 0; i < order.length; i += EXPORT_PAGE) {
              if (!(await rejudge())) return;
              const ids = order.slice(i, i + EXPORT_PAGE);
              const rows = await streamed(() => store.getUsers(ids));
              const byId = new Map(rows.map((r) => [r.value.id, r.value]));
              yield ids.flatMap((id) => {
                const user = byId.get(id);
                return user !== undefined && ofActor(user) ? [user] : [];
              });
            }
          }
          return ok({ contentType: "text/csv; charset=utf-8" as const, fileName, body: chunked(head, users(), rowOf) });
        }

        const criteria = request.criteria;
        // The export's rows where the store gives them (cells only), else whole users.
        const readPage = (query: UserSearchQuery): Promise<readonly UserExportRow[]> =>
          store.exportRows !== undefined ? store.exportRows(query) : store.searchUsers(query);
        async function* pages(): AsyncGenerator<readonly UserExportRow[]> {
          let after: string | undefined;
          // The next page, read while this one is written; used only if the judgment made
          // when it is reached asks for the very same query (else read again).
          let ahead: { readonly query: string; readonly rows: Promise<readonly UserExportRow[]> } | undefined;
          for (;;) {
            if (!(await rejudge())) return;
            const scoped = await streamed(() => scopedQuery(judged.session, judged.managed, criteria));
            if (scoped === null) {
              yield [];
              return;
            }
            const query: UserSearchQuery = after === undefined ? { ...scoped, limit: EXPORT_PAGE } : { ...scoped, after, limit: EXPORT_PAGE };
            const read = ahead !== undefined && ahead.query === JSON.stringify(query) ? ahead.rows : undefined;
            ahead = undefined;
            const page = await streamed(() => read ?? readPage(query));
            const last = page[page.length - 1];
            if (page.length < EXPORT_PAGE || last === undefined) {
              yield page;
              return;
            }
            after = searchKeyOf(last);
            const next: UserSearchQuery = { ...scoped, after, limit: EXPORT_PAGE };
            const rows = readPage(next);
            // A failure of the read ahead is told when its page is reached (or never, if the consumer stops first).
            rows.catch(() => undefined);
            ahead = { query: JSON.stringify(next), rows };
            yield page;
          }
        }
        return ok({ contentType: "text/csv; charset=utf-8" as const, fileName, body: chunked(head, pages(), rowOf) });
      });
    },
  };
}
