// The placeholders the documentation's code blocks use without declaring them: what a
// host already has where it calls the library (the application it created, the acting
// user its authentication identified, the ids its route received, its logger and
// mailer). scripts/check-docs.ts compiles every block with these in scope; everything
// the library exports, a block imports itself.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type pg from "pg";
import type {
  AttachmentHistoryFact,
  AttachmentRequest,
  AttachmentRequestId,
  Habilitations,
  HabilitationsStore,
  RecordedEvent,
  Service,
  ServiceId,
  Structure,
  StructureId,
  User,
  UserId,
} from "habilitations";

declare global {
  /** The application, created once at start-up (docs/embedding.md §1). */
  const app: Habilitations;
  /** The store it was created over. */
  const store: HabilitationsStore;

  /** The acting user, as the host's authentication identified them. */
  const managerId: UserId;
  /** Ids a route received (from its path, its query or its body: text). */
  const structureId: string;
  const serviceId: string;
  const userId: string;
  const targetUserId: string;
  const requestId: string;
  /** Requests a manager checked in a list. */
  const a: string;
  const b: string;
  const c: string;
  const d: string;
  /** The `Idempotency-Key` header, if the client sent one. */
  const idempotencyKey: string | undefined;
  /** The `cursor` a previous page gave. */
  const cursor: string | undefined;
  /** The token of an activation link. */
  const token: string;

  /** The guide's cast: people… */
  const aliceId: UserId;
  const brunoId: UserId;
  const chloeId: UserId;
  const davidId: UserId;
  const elodieId: UserId;
  const chloe: UserId;
  const elodie: UserId;
  const hugo: UserId;
  /** …structures… */
  const mairie: StructureId;
  const librairie: StructureId;
  const ecole: StructureId;
  /** …and services. */
  const achats: ServiceId;
  const paie: ServiceId;
  const comptaId: ServiceId;

  /** An HTTP request and its reply, as a framework hands them over (Express-like). */
  interface DocRequest {
    readonly body: unknown;
    readonly headers: IncomingHttpHeaders;
    readonly url: string;
    readonly params: Readonly<Record<string, string>>;
    readonly session: { readonly userId: UserId };
  }
  type DocReply = ServerResponse & { status(code: number): { json(body: unknown): void; end(): void } };
  const req: DocRequest;
  const res: DocReply;
  /** The authenticated session (its `userId`: the acting user; its `email`: the login the identity provider proved). */
  const session: { readonly userId: UserId; readonly email: string };
  /** The HTTP framework's router. */
  const routes: { get(path: string, handler: (req: DocRequest, res: DocReply) => Promise<unknown>): void };

  /** The host's logger, mailer and helpers. */
  const log: {
    info(data: unknown): void;
    warn(data: unknown): void;
    error(data: unknown): void;
  };
  const mailer: { notify(event: RecordedEvent): Promise<void>; send(to: string, text: string): Promise<void> };
  /** Where people set their password (the host's identity provider). */
  const identityProvider: { enable(userId: UserId, login: string): Promise<void> };
  function mail(userId: UserId, template: string, data: object): Promise<void>;
  function notifyManagers(structureId: StructureId, requestId: AttachmentRequestId): Promise<void>;
  /** A request's body as it arrived (JSON, untyped). */
  const body: unknown;
  /** Records the host loaded itself, and its own numbering of them (docs/chorus-pro.md). */
  const structure: Structure;
  const services: readonly Service[];
  const user: User;
  const requests: readonly AttachmentRequest[];
  const history: readonly AttachmentHistoryFact[];
  const numbers: ReadonlyMap<string, number>;
  /** A store adapter of the host's own. */
  function myStore(): HabilitationsStore;
  /** Pools on the primary server and on a replica. */
  const primaryPool: pg.Pool;
  const replicaPool: pg.Pool;
}
