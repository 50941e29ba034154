// Chorus Pro's « Structures » API (issue 21), answered from the store: one query per
// operation of the API, under the rules of every other read. The core parses the bodies
// and renders the responses (src/core/chorus-pro/); here each query judges the actor,
// finds the records the request names through the host's numbering, and reads what the
// response needs, no more (docs/chorus-pro.md, « Who may call what »).
//
// Who sees what:
// - a structure (its general information, its services, the actor's own spaces and
//   attachment rows in it): a user whose account is active and who is attached to it in
//   force (`isUserInForceOf`: `validFrom` reached), whatever the role. Any other
//   structure — another's, one the actor is attached to from a later date, one that does
//   not exist — is `NOT_FOUND`, the same answer for each, naming what the request gave;
// - the search: the structures the actor is attached to in force; never another;
// - another user's attachment rows: a manager of the structure (`authorizeManager`),
//   about a user in force in it (`isUserInForceOf`, as for their personal information);
//   any other user is `NOT_FOUND`, like a login or a number that names no one;
// - one's own attachment rows in a structure: also where one only asked to join, was
//   refused or was removed (one's own requests and history there), never a structure one
//   has nothing in (`NOT_FOUND`).
import {
  attachmentTo,
  canManage,
  chorusProStructureRef,
  err,
  isInForce,
  isUserInForceOf,
  normalizeLogin,
  ok,
  parseConsulterServiceStructureRequest,
  parseConsulterStructureRequest,
  parseListerRattachementsUtilisateurRequest,
  parseRechercherEspacesRequest,
  parseRechercherServicesStructureRequest,
  parseRechercherStructureRequest,
  renderConsulterServiceStructure,
  renderConsulterStructure,
  renderListerRattachementsUtilisateur,
  renderRechercherEspaces,
  renderRechercherServicesStructure,
  renderRechercherStructure,
  type AttachmentHistoryFact,
  type AttachmentRequest,
  type AttachmentRequestId,
  type ChorusProConsulterServiceStructureInput,
  type ChorusProConsulterStructureInput,
  type ChorusProListerRattachementsUtilisateurInput,
  type ChorusProOptions,
  type ChorusProRechercherEspacesInput,
  type ChorusProRechercherServicesStructureInput,
  type ChorusProRechercherStructureInput,
  type ChorusProStructureFields,
  type DomainError,
  type HistoryKind,
  type ListerRattachementsUtilisateurRequest,
  type Result,
  type ServiceId,
  type Structure,
  type StructureId,
  type User,
  type WsRetourConsulterServiceStructure,
  type WsRetourConsulterStructureTVAIntraCom,
  type WsRetourListerRattachementsStructureUtilisateur,
  type WsRetourRechercherEspacesFo,
  type WsRetourRechercherServicesStructure,
  type WsRetourRechercherStructure,
} from "../core/index.js";
import { activeActor, builtCommand, clocked, parseActor, Session, shielded, type ActorId, type Clocked, type Deps } from "./runner.js";

/**
 * The most history entries about one user in one structure a `listerRattachementsUtilisateur`
 * reads (its removals and decisions, newest first): the rows are derived from the newest
 * facts; older ones, beyond this many, are not read.
 */
export const CHORUS_PRO_MAX_ATTACHMENT_FACTS = 1000;

/** The history entries the attachment rows are derived from (`attachmentRows`). */
const ATTACHMENT_FACT_KINDS: readonly HistoryKind[] = [
  "attachmentRemoved",
  "servicesRemoved",
  "attachmentRequestValidated",
  "attachmentRequestRefused",
];

/** What one query is given once its actor and body are parsed and the actor is loaded (active). */
interface Query<R> {
  readonly session: Session;
  readonly ctx: Clocked;
  readonly actor: User;
  readonly request: R;
}

/** The answer to a structure the actor may not see, or that does not exist: one answer for both, naming what the request gave. */
function structureNotFound(fields: ChorusProStructureFields): DomainError {
  return { code: "NOT_FOUND", entity: "structure", id: fields.idStructure !== undefined ? String(fields.idStructure) : (fields.identifiantStructure ?? "") };
}

/** The answer to a user the actor may not see, or whom the request's number or login names not: one answer for both. */
function userNotFound(request: ListerRattachementsUtilisateurRequest): DomainError {
  return {
    code: "NOT_FOUND",
    entity: "user",
    id: request.idUtilisateur !== undefined ? String(request.idUtilisateur) : (request.adresseEmailConnexionUtilisateur ?? ""),
  };
}

/**
 * A structure named by its number alone. (Built without prototype, as every input the
 * application makes: a field it leaves out reads as absent, whatever a polluted
 * `Object.prototype` holds.)
 */
const byNumber = (idStructure: number): ChorusProStructureFields => builtCommand({ idStructure });

/** Whether a structure has the identifier a request gave (both checked and normalised alike). */
function hasIdentifier(structure: Structure, fields: ChorusProStructureFields): boolean {
  const { identifier } = chorusProStructureRef(fields);
  return identifier === null || (structure.identifier.type === identifier.type && structure.identifier.value === identifier.value);
}

/** The structures the actor is attached to in force today (`validFrom` reached). */
function structuresInForce(actor: User, today: Clocked["today"]): StructureId[] {
  return actor.attachments.filter((a) => isInForce(a.validFrom, today)).map((a) => a.structureId);
}

/** Builds the Chorus Pro queries. */
export function chorusProOperations(deps: Deps) {
  const { store } = deps;
  const ids = deps.chorusProIds;
  const options: ChorusProOptions = { ids, timeZone: deps.timeZone, catalogue: deps.catalogue };

  /**
   * Parses the actor (`UNKNOWN_ACTOR`) and the body (`VALIDATION`), before any read; then
   * loads the actor (unknown: `UNKNOWN_ACTOR`; not active: `FORBIDDEN`) and answers.
   */
  async function query<R, P>(
    operation: string,
    actor: unknown,
    input: unknown,
    parse: (input: unknown) => Result<R, DomainError>,
    answer: (q: Query<R>) => Promise<Result<P, DomainError>>,
  ): Promise<Result<P, DomainError>> {
    const actorId = parseActor(actor);
    if (!actorId.ok) return actorId;
    const request = parse(input);
    if (!request.ok) return request;
    return shielded(deps, operation, async () => {
      const ctx = clocked(deps);
      const session = new Session(store);
      const found = await activeActor(session, actorId.value);
      if (!found.ok) return found;
      return answer({ session, ctx, actor: found.value, request: request.value });
    });
  }

  /**
   * The structure a request names: by its number (through the numbering, both ways: the
   * structure found must number back to it; with an identifier too, it must have it), or
   * by its identifier alone among the structures the actor is attached to (the store
   * keeps no index of identifiers; any other structure the actor would not see anyway).
   * `NOT_FOUND` otherwise; `VALIDATION` when two of the actor's structures have the
   * identifier and no number tells them apart.
   */
  async function namedStructure(
    session: Session,
    actor: User,
    fields: ChorusProStructureFields,
    path: readonly string[],
  ): Promise<Result<Structure, DomainError>> {
    const missing = err(structureNotFound(fields));
    if (fields.idStructure !== undefined) {
      const id = ids.structureIdOf(fields.idStructure);
      if (id === undefined) return missing;
      const row = await session.structure(id);
      if (row === null || ids.structure(row.value.id) !== fields.idStructure || !hasIdentifier(row.value, fields)) return missing;
      return ok(row.value);
    }
    const mine = actor.attachments.map((a) => a.structureId);
    await session.prefetch({ structure: mine });
    const found: Structure[] = [];
    for (const id of mine) {
      const row = await session.structure(id);
      if (row !== null && hasIdentifier(row.value, fields)) found.push(row.value);
    }
    if (found.length > 1)
      return err({
        code: "VALIDATION",
        issues: [{ path: [...path, "identifiantStructure"], code: "ambiguous_structure", message: "plusieurs de vos structures ont cet identifiant : précisez idStructure" }],
      });
    return found[0] === undefined ? missing : ok(found[0]);
  }

  /** The structure a request names, if the actor is a member of it in force (any role); else `NOT_FOUND`. */
  async function memberStructure(q: Query<unknown>, fields: ChorusProStructureFields, path: readonly string[] = []): Promise<Result<Structure, DomainError>> {
    const named = await namedStructure(q.session, q.actor, fields, path);
    if (!named.ok) return named;
    return isUserInForceOf(q.actor, named.value.id, q.ctx.today) ? named : err(structureNotFound(fields));
  }

  /** Whether a lister request is about the actor: it names no user, or names the actor (by number and/or login). */
  function namesActor(actor: User, request: ListerRattachementsUtilisateurRequest): boolean {
    if (request.idUtilisateur !== undefined && ids.userIdOf?.(request.idUtilisateur) !== actor.id) return false;
    if (request.adresseEmailConnexionUtilisateur !== undefined && request.adresseEmailConnexionUtilisateur !== normalizeLogin(actor.login)) return false;
    return true;
  }

  /** The user a lister request names (by number and/or login: both must name the same one), or `NOT_FOUND`. */
  async function namedUser(session: Session, request: ListerRattachementsUtilisateurRequest): Promise<Result<User, DomainError>> {
    const missing = err(userNotFound(request));
    let numbered: User | undefined;
    if (request.idUtilisateur !== undefined) {
      const id = ids.userIdOf?.(request.idUtilisateur);
      const row = id === undefined ? null : await session.user(id);
      if (row === null) return missing;
      numbered = row.value;
    }
    if (request.adresseEmailConnexionUtilisateur === undefined) return numbered === undefined ? missing : ok(numbered);
    const byLogin = await store.findUserByLogin(request.adresseEmailConnexionUtilisateur);
    if (byLogin === null || (numbered !== undefined && numbered.id !== byLogin.value.id)) return missing;
    return ok(byLogin.value);
  }

  /**
   * What a user's attachment rows in a structure are derived from, beside the attachment
   * the user holds: their pending request, and the newest
   * {@link CHORUS_PRO_MAX_ATTACHMENT_FACTS} removals and decisions about them there (from
   * the history, read by target user: its cost does not grow with the structure's
   * history), with the requests those decisions name.
   */
  async function attachmentFacts(
    structureId: StructureId,
    user: User,
  ): Promise<{ readonly requests: AttachmentRequest[]; readonly history: AttachmentHistoryFact[] }> {
    const [pending, history] = await Promise.all([
      store.findPendingRequest(user.id, structureId),
      store.readHistory(structureId, { targetUserId: user.id, kinds: ATTACHMENT_FACT_KINDS, limit: CHORUS_PRO_MAX_ATTACHMENT_FACTS }),
    ]);
    const decided = [
      ...new Set(
        history.flatMap((e) =>
          (e.kind === "attachmentRequestValidated" || e.kind === "attachmentRequestRefused") && e.requestId !== null ? [e.requestId as AttachmentRequestId] : [],
        ),
      ),
    ];
    const found = decided.length === 0 ? [] : (await store.getAggregates({ attachmentRequest: decided })).attachmentRequest.map((r) => r.value);
    return { requests: pending === null ? found : [pending.value, ...found], history };
  }

  return {
    /**
     * Chorus Pro's `POST /v1/rechercher` (« rechercherStructure »): the structures the
     * actor is attached to in force (any role) that meet the criteria — identifier, its
     * type, designation (`raisonSocialeStructure`, `libelleStructure`: partial, accent- and
     * case-insensitive), kind, status —, sorted and paged as asked (`parametres`). Never
     * another structure: the library is not a directory of every structure. The answer
     * reads the actor's own structures only, whatever the number of structures stored.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION` (the body: an unknown code, an unknown field,
     * a criterion the library cannot match, such as an address), `FORBIDDEN` (an account
     * not active).
     *
     * @example
     * ```ts
     * const r = await app.chorusProRechercherStructure(actor, { structure: { typeStructure: "PUBLIQUE" } });
     * if (r.ok) r.value.listeStructures?.map((s) => s.designationStructure); // ["Mairie de Lyon"]
     * ```
     */
    async chorusProRechercherStructure(
      actor: ActorId,
      input: ChorusProRechercherStructureInput,
    ): Promise<Result<WsRetourRechercherStructure, DomainError>> {
      return query("chorusProRechercherStructure", actor, input, parseRechercherStructureRequest, async (q) => {
        const mine = structuresInForce(q.actor, q.ctx.today);
        const structures = (await store.getStructures(mine)).map((row) => row.value);
        return ok(renderRechercherStructure(structures, q.request, options));
      });
    },

    /**
     * Chorus Pro's `POST /v1/consulter` (« consulterStructure »): the general information
     * of a structure the actor is attached to in force (any role): number, identifier,
     * designation, kind. Any other structure is `NOT_FOUND`, as a number that names none.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION`, `FORBIDDEN` (an account not active),
     * `NOT_FOUND` (`structure`, naming the number given).
     *
     * @example
     * ```ts
     * const r = await app.chorusProConsulterStructure(actor, { idStructureCPP: 26346724 });
     * if (r.ok) r.value.informationGenerales?.raisonSocialeStructure; // "Centre hospitalier de Lyon"
     * ```
     */
    async chorusProConsulterStructure(
      actor: ActorId,
      input: ChorusProConsulterStructureInput,
    ): Promise<Result<WsRetourConsulterStructureTVAIntraCom, DomainError>> {
      return query("chorusProConsulterStructure", actor, input, parseConsulterStructureRequest, async (q) => {
        const structure = await memberStructure(q, byNumber(q.request.idStructureCPP));
        return structure.ok ? ok(renderConsulterStructure(structure.value, options)) : structure;
      });
    },

    /**
     * Chorus Pro's `POST /v1/consulter/service` (« consulterServiceStructure »): one service
     * (active or not) of a structure the actor is attached to in force (any role): its
     * code, label and creation instant. A service of another structure, or a number that
     * names none, is `NOT_FOUND`.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION`, `FORBIDDEN` (an account not active),
     * `NOT_FOUND` (`structure` or `service`, naming the number given).
     *
     * @example
     * ```ts
     * const r = await app.chorusProConsulterServiceStructure(actor, { idStructure: 26346724, idService: 102 });
     * if (r.ok) r.value.informationsGenerales?.codeService; // "COMPTA"
     * ```
     */
    async chorusProConsulterServiceStructure(
      actor: ActorId,
      input: ChorusProConsulterServiceStructureInput,
    ): Promise<Result<WsRetourConsulterServiceStructure, DomainError>> {
      return query("chorusProConsulterServiceStructure", actor, input, parseConsulterServiceStructureRequest, async (q) => {
        const structure = await memberStructure(q, byNumber(q.request.idStructure));
        if (!structure.ok) return structure;
        const id = ids.serviceIdOf(q.request.idService);
        const service = id === undefined ? null : await q.session.service(id);
        if (service === null || service.value.structureId !== structure.value.id || ids.service(service.value.id) !== q.request.idService)
          return err({ code: "NOT_FOUND", entity: "service", id: String(q.request.idService) });
        return ok(renderConsulterServiceStructure(service.value, options));
      });
    },

    /**
     * Chorus Pro's `POST /v1/rechercher/services` (« rechercherServicesStructure »): every
     * service, active and inactive, of a structure the actor is attached to in force (any
     * role), sorted and paged as asked. The API sorts by any column and pages by page
     * number: the structure's services are read whole (the store lists them by code) and
     * paged here; the cost grows with the structure's services, never with its members.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION`, `FORBIDDEN` (an account not active),
     * `NOT_FOUND` (`structure`).
     *
     * @example
     * ```ts
     * const r = await app.chorusProRechercherServicesStructure(actor, {
     *   idStructure: 26346724, parametresRechercherServicesStructure: { triColonne: "EstActif", triSens: "Descendant" },
     * });
     * if (r.ok) r.value.parametresRetour?.total; // 4
     * ```
     */
    async chorusProRechercherServicesStructure(
      actor: ActorId,
      input: ChorusProRechercherServicesStructureInput,
    ): Promise<Result<WsRetourRechercherServicesStructure, DomainError>> {
      return query("chorusProRechercherServicesStructure", actor, input, parseRechercherServicesStructureRequest, async (q) => {
        const structure = await memberStructure(q, byNumber(q.request.idStructure));
        if (!structure.ok) return structure;
        const services = (await store.listServices(structure.value.id)).map((row) => row.value);
        return ok(renderRechercherServicesStructure(services, q.request, options));
      });
    },

    /**
     * Chorus Pro's `POST /v1/lister/rattachementsutilisateur`
     * (« listerRattachementsStructureUtilisateur »): a user's attachment to a structure,
     * one row per service with its `statutRattachement` (`attachmentRows`: attached,
     * asked for, refused, removed, deactivated), sorted and paged as asked.
     *
     * Whose rows: the actor's own when the body names no user (or names the actor), in a
     * structure they are attached to, asked to join, were refused by or removed from —
     * any other is `NOT_FOUND`; another user's (by `idUtilisateur` through the numbering's
     * `userIdOf`, and/or by `adresseEmailConnexionUtilisateur`) only for a manager of the
     * structure, and only about a user in force in it (`isUserInForceOf`, as their
     * personal information): a user of another structure, a former member, a login
     * nobody has are all `NOT_FOUND`. The structure by `idStructure`, or by its identifier
     * among the structures the actor is attached to. Reads the user's pending request,
     * the structure's services and the newest {@link CHORUS_PRO_MAX_ATTACHMENT_FACTS}
     * removals and decisions about the user there.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION` (also an identifier two of the actor's
     * structures have), `FORBIDDEN` (an account not active), `NOT_FOUND` (`structure` or
     * `user`, naming what the request gave).
     *
     * @example
     * ```ts
     * // Élodie's own rows in the hospital:
     * const mine = await app.chorusProListerRattachementsUtilisateur(elodie, { idStructure: 26346724 });
     * // Alice, who manages it, about Élodie:
     * const hers = await app.chorusProListerRattachementsUtilisateur(alice, {
     *   idStructure: 26346724, adresseEmailConnexionUtilisateur: "elodie.lefevre@chu-lyon.fr",
     * });
     * if (hers.ok) hers.value.listeServices?.map((row) => [row.codeService, row.statutRattachement]);
     * // [["ACHATS", "REFUSEE"], ["COMPTA", "VALIDEE"], ["PAIE", "VALIDEE"]]
     * ```
     */
    async chorusProListerRattachementsUtilisateur(
      actor: ActorId,
      input: ChorusProListerRattachementsUtilisateurInput,
    ): Promise<Result<WsRetourListerRattachementsStructureUtilisateur, DomainError>> {
      return query("chorusProListerRattachementsUtilisateur", actor, input, parseListerRattachementsUtilisateurRequest, async (q) => {
        const { request } = q;
        const named = await namedStructure(q.session, q.actor, request, []);
        if (!named.ok) return named;
        const structure = named.value;
        let user: User;
        let facts: Awaited<ReturnType<typeof attachmentFacts>>;
        if (namesActor(q.actor, request)) {
          // One's own rows: in a structure one has something in (an attachment, a request,
          // a decision or a removal), read before anything of the structure is.
          user = q.actor;
          facts = await attachmentFacts(structure.id, user);
          if (attachmentTo(user, structure.id) === undefined && facts.requests.length === 0 && facts.history.length === 0)
            return err(structureNotFound(request));
        } else {
          // Another's: the actor manages the structure (judged first: a non-manager learns
          // nothing of who exists), and the user is in force in it.
          if (!canManage(q.actor, structure, q.ctx.today)) return err(structureNotFound(request));
          const target = await namedUser(q.session, request);
          if (!target.ok) return target;
          if (!isUserInForceOf(target.value, structure.id, q.ctx.today))
            return err(userNotFound(request));
          user = target.value;
          facts = await attachmentFacts(structure.id, user);
        }
        const services = (await store.listServices(structure.id)).map((row) => row.value);
        // (`dateFin` of attached rows: the input's `validUntil`, once attachments have an end.)
        return ok(renderListerRattachementsUtilisateur(builtCommand({ structure, services, user, ...facts }), request, options));
      });
    },

    /**
     * Chorus Pro's `POST /v1/rechercher/espaces` (« rechercherEspaces »): the spaces the
     * actor holds in a structure they are attached to in force — each grant on one service
     * or on all, with its access (`typeHabilitation`) and whether the space is open where
     * it points (`etatCourant`) —, all of them or those that apply to `idService`, sorted
     * and paged as asked. The actor's own, as in Chorus Pro (the body names no user): a
     * manager reads a member's with `listMemberGrants`.
     *
     * Refusals: `UNKNOWN_ACTOR`, `VALIDATION`, `FORBIDDEN` (an account not active),
     * `NOT_FOUND` (`structure`).
     *
     * @example
     * ```ts
     * const r = await app.chorusProRechercherEspaces(actor, { structure: { idStructure: 26346724 } });
     * if (r.ok) r.value.listeEspace?.map((e) => [e.libelleEspace, e.typeHabilitation, e.etatCourant]);
     * ```
     */
    async chorusProRechercherEspaces(
      actor: ActorId,
      input: ChorusProRechercherEspacesInput,
    ): Promise<Result<WsRetourRechercherEspacesFo, DomainError>> {
      return query("chorusProRechercherEspaces", actor, input, parseRechercherEspacesRequest, async (q) => {
        const structure = await memberStructure(q, q.request.structure, ["structure"]);
        if (!structure.ok) return structure;
        const serviceIds: ServiceId[] = [];
        for (const g of q.actor.grants) if (g.structureId === structure.value.id && g.serviceId !== null) serviceIds.push(g.serviceId);
        const services = await q.session.services(serviceIds);
        return ok(renderRechercherEspaces(builtCommand({ structure: structure.value, services: [...services.values()], user: q.actor }), q.request, options));
      });
    },
  };
}
