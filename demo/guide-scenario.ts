// The guide's scenario, end to end, through the application layer: `npm run demo` on
// the memory store; `DATABASE_URL=postgres://… npm run demo` on PostgreSQL, in a fresh
// schema dropped at the end. The output is the same on both.
import { isDeepStrictEqual } from "node:util";
import {
  createHabilitations,
  errorMessage,
  historyKindLabel,
  accountStatusLabel,
  activityNotificationsLabel,
  roleLabel,
  serviceId,
  structureId,
  subscriptionScopeLabel,
  type DomainError,
  type HabilitationsStore,
  type RecordedEvent,
  type Result,
  type ServiceId,
  type UserId,
  type ValidateAttachmentRequestInput,
} from "../src/index.js";
import { openDemoStore } from "./store.js";
import { printTable } from "./table.js";

const demo = await openDemoStore(process.env["DATABASE_URL"]);
if (process.env["DATABASE_URL"]) process.stderr.write(`[demo] ${demo.label}\n`);
try {
  await guideScenario(demo.store);
} finally {
  await demo.close();
}

/** The scenario, on a store. */
async function guideScenario(store: HabilitationsStore): Promise<void> {
  // A fixed clock and readable ids, so the output is the same on every run.
  let now = new Date("2026-11-27T08:00:00Z");
  const counters = new Map<string, number>();
  const app = createHabilitations({
    store,
    clock: () => now,
    newId: (kind) => {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      return `${{ structure: "str", service: "svc", user: "usr", attachmentRequest: "req", subscriptionRequest: "sub", event: "evt" }[kind]}-${n}`;
    },
    // Chorus Pro numbers its records: this host numbers « str-2 » 26300002 and « svc-3 » 103.
    chorusProIds: {
      structure: (id) => (/^str-\d+$/.test(id) ? 26300000 + Number(id.slice(4)) : undefined),
      service: (id) => (/^svc-\d+$/.test(id) ? 100 + Number(id.slice(4)) : undefined),
      structureIdOf: (n) => (n > 26300000 && n < 26400000 ? structureId(`str-${n - 26300000}`) : undefined),
      serviceIdOf: (n) => (n > 100 && n < 1000 ? serviceId(`svc-${n - 100}`) : undefined),
    },
  });
  const tick = (minutes: number) => (now = new Date(now.getTime() + minutes * 60_000));

  /** Unwraps a result the scenario expects to succeed. */
  function must<T>(r: Result<T, DomainError>): T {
    if (!r.ok) throw new Error(`unexpected refusal: ${errorMessage(r.error)}`);
    return r.value;
  }

  const names = new Map<string, string>();

  async function register(login: string, firstName: string, lastName: string): Promise<UserId> {
    const { user } = must(await app.registerUser({ login, firstName, lastName }));
    names.set(user.id, `${firstName} ${lastName}`);
    return user.id;
  }

  const alice = await register("alice.martin@mairie-lyon.fr", "Alice", "Martin");
  const bruno = await register("bruno.petit@mairie-lyon.fr", "Bruno", "Petit");
  const elodie = await register("elodie.lefevre@mairie-lyon.fr", "Élodie", "Lefèvre");
  const farid = await register("farid.benali@example.fr", "Farid", "Benali");
  const chloe = await register("chloe.durand@mairie-lyon.fr", "Chloé", "Durand");

  // Two structures managed by Alice: one without services, one with services.
  const librairie = must(
    await app.createStructure(alice, {
      designation: "Librairie Dupont",
      kind: "private",
      identifier: { type: "siret", value: "552 421 622 00010" },
    }),
  ).structure;
  const mairie = must(
    await app.createStructure(alice, {
      designation: "Mairie de Lyon",
      kind: "public",
      identifier: { type: "siret", value: "216 901 231 00011" },
    }),
  ).structure;
  const services = new Map<string, ServiceId>();
  for (const [code, label] of [
    ["ACHATS", "Achats publics"],
    ["ARCHIVES", "Archives municipales"],
    ["COMPTA", "Comptabilité"],
    ["PAIE", "Paie"],
    ["RH", "Ressources humaines"],
  ] as const) {
    services.set(code, must(await app.addService(alice, { structureId: mairie.id, code, label })).service.id);
  }
  /** A service's id by its code: a host checks its lookups (a missing id is never sent as « no service »). */
  const service = (code: string): ServiceId => {
    const id = services.get(code);
    if (id === undefined) throw new Error(`no service ${code}`);
    return id;
  };
  must(await app.deactivateService(alice, { serviceId: service("ARCHIVES") }));

  printTable("Structures", [librairie, mairie].map((s) => ({
    id: s.id,
    désignation: s.designation,
    type: s.kind === "public" ? "publique" : "privée",
    SIRET: s.identifier.value,
    "gestionnaire principal": names.get(s.primaryManagerId),
  })));

  // Élodie is already attached to COMPTA; she asks for ACHATS and PAIE.
  tick(5);
  must(await app.attachUser(alice, {
    structureId: mairie.id,
    userId: elodie,
    role: "user",
    validFrom: "2026-11-27",
    comment: "Arrivée au service comptable",
    scope: { kind: "services", serviceIds: [service("COMPTA")] },
  }));
  tick(60);
  const elodieRequest = must(await app.requestAttachment(elodie, {
    structureId: mairie.id,
    scope: { kind: "services", serviceIds: [service("ACHATS"), service("PAIE")] },
    comment: "Je reprends aussi les achats et la paie.",
  }));
  tick(3);
  const brunoRequest = must(await app.requestAttachment(bruno, {
    structureId: librairie.id,
    scope: { kind: "structure" },
    comment: "Responsable de la librairie.",
  }));
  tick(2);
  const faridRequest = must(await app.requestAttachment(farid, {
    structureId: mairie.id,
    scope: { kind: "structure" },
    comment: "Bonjour, merci de m'ajouter.",
  }));

  const pending = must(await app.listPendingAttachmentRequests(alice));
  printTable("Les demandes de rattachement à une structure (en attente)", pending.items.map((p) => ({
    demande: p.request.id,
    structure: p.structure.designation,
    utilisateur: `${p.user.firstName} ${p.user.lastName}`,
    "services demandés": p.services.length === 0 ? "toute la structure" : p.services.map((s) => s.label).join(", "),
    commentaire: p.request.comment,
  })));

  // Consult Élodie's request: every active service with its status and default check.
  const view = must(await app.consultAttachmentRequest(alice, { requestId: elodieRequest.request.id }));
  process.stdout.write(
    `\nConsulter la demande ${view.request.id} — ${view.structure.designation} (SIRET ${view.structure.identifier.value})` +
      `\n  Utilisateur : ${view.user.firstName} ${view.user.lastName} <${view.user.login}>` +
      `\n  Commentaire : « ${view.comment} »\n`,
  );
  printTable("Services actifs de la structure", view.services.map((s) => ({
    code: s.code,
    service: s.label,
    "statut du rattachement": s.statusLabel,
    coché: s.checked,
  })));

  // Bruno's request, on the structure without services: validated, role changed.
  tick(10);
  const brunoView = must(await app.consultAttachmentRequest(alice, { requestId: brunoRequest.request.id }));
  process.stdout.write(
    `\nConsulter la demande ${brunoView.request.id} — ${brunoView.structure.designation} (sans service) : ` +
      `${brunoView.services.length} service, « Rattacher à la structure » coché : ${brunoView.wholeStructureChecked ? "oui" : "non"}\n`,
  );
  must(await app.validateAttachmentRequest(alice, {
    requestId: brunoRequest.request.id,
    role: "secondaryManager",
  }));

  // Élodie's request validated with COMPTA unchecked: the checked services *are* her
  // scope, so COMPTA is removed and the history says so. Farid's is refused with a reason.
  const elodieDecision: ValidateAttachmentRequestInput = {
    requestId: elodieRequest.request.id,
    scope: { kind: "services", serviceIds: [service("ACHATS"), service("PAIE")] },
  };
  const validatedElodie = must(await app.validateAttachmentRequest(alice, elodieDecision, { idempotencyKey: "alice-click-42" }));
  // The response was lost on the way back; the browser retries with the same key and
  // gets the same outcome (same history entries, same event ids), nothing done twice.
  // The same data: PostgreSQL gives it back from jsonb, whose objects list their keys in
  // an order of its own, so compare values, not serialised text.
  const retried = must(await app.validateAttachmentRequest(alice, elodieDecision, { idempotencyKey: "alice-click-42" }));
  process.stdout.write(
    `\nValidation rejouée avec la même clé d'idempotence : même résultat ? ${isDeepStrictEqual(retried, validatedElodie) ? "oui" : "NON"}` +
      `\nCe que le gestionnaire voit de la demandeuse : ${JSON.stringify(validatedElodie.requester)}\n`,
  );
  const refusal = await app.refuseAttachmentRequest(alice, { requestId: faridRequest.request.id, reason: " \u200B " });
  process.stdout.write(`\nRefus sans motif : ${refusal.ok ? "accepté ?!" : `${refusal.error.code} — ${errorMessage(refusal.error)}`}\n`);
  must(await app.refuseAttachmentRequest(alice, {
    requestId: faridRequest.request.id,
    reason: "Vous n'êtes pas agent de la mairie.",
  }));
  const again = await app.validateAttachmentRequest(alice, { requestId: faridRequest.request.id });
  process.stdout.write(`Valider une demande déjà refusée : ${again.ok ? "accepté ?!" : `${again.error.code} — ${errorMessage(again.error)}`}\n`);

  // A direct attachment on the manager's initiative, from a later date.
  tick(15);
  must(await app.attachUser(bruno, {
    structureId: librairie.id,
    userId: chloe,
    role: "user",
    validFrom: "2026-12-01",
    comment: "Renfort pour les fêtes",
    scope: { kind: "structure" },
  }));

  const serviceLabel0 = new Map([...services].map(([code, id]) => [id as string, code]));
  // Guide §2: subscription requests to spaces. (Users sending them is our extension:
  // Chorus Pro does not offer it yet.)
  printTable("Le catalogue des espaces", app.listSpaces().map((s) => ({ code: s.code, espace: s.label, "code API": s.apiCode })));
  tick(5);
  const subscription = must(await app.requestSubscription(elodie, {
    structureId: mairie.id,
    items: [
      { space: "FACTURES_RECUES", serviceId: service("ACHATS"), access: "write" },
      { space: "FACTURES_EMISES", access: "read" },
      { space: "FACTURES_A_VALIDER", serviceId: service("PAIE"), access: "read" },
    ],
    comment: "Pour traiter les factures des achats.",
  })).request;
  const subscriptionView = must(await app.consultSubscriptionRequest(alice, { requestId: subscription.id }));
  printTable(
    `Consulter la demande d'abonnement ${subscription.id} — ${subscriptionView.user.firstName} ${subscriptionView.user.lastName} (« ${subscriptionView.comment} »)`,
    subscriptionView.items.map((i) => ({ espace: i.spaceLabel, service: i.serviceLabel, accès: i.accessLabel, "déjà ouvert": i.open ? "oui" : "non" })),
  );
  // With scope « user », spaces not open yet are refused; the manager unchecks « Factures
  // à valider » and applies the setting to the whole structure.
  const userOnly = await app.validateSubscriptionRequest(alice, { requestId: subscription.id, scope: "user" });
  process.stdout.write(`\nValider « seulement l'utilisateur » : ${userOnly.ok ? "accepté ?!" : `${userOnly.error.code} — ${errorMessage(userOnly.error)}`}\n`);
  tick(2);
  const granted = must(await app.validateSubscriptionRequest(alice, {
    requestId: subscription.id,
    items: subscription.items.filter((i) => i.space !== "FACTURES_A_VALIDER"),
    comment: "Accordé, sauf les factures à valider.",
    scope: "structure",
  }));
  process.stdout.write(
    `Validée, « toute la structure » : espaces ouverts sur la structure ${JSON.stringify(granted.structureOpenSpaces)}, ` +
      `${granted.requester.grants.length} habilitations pour ${names.get(elodie)}\n`,
  );
  tick(3);
  const faridSubscription = await app.requestSubscription(farid, { structureId: mairie.id, items: [{ space: "FACTURES_EMISES", access: "read" }] });
  process.stdout.write(`Demande d'abonnement d'un utilisateur non rattaché : ${faridSubscription.ok ? "acceptée ?!" : faridSubscription.error.code}\n`);
  const chloeSubscription = must(await app.requestSubscription(chloe, {
    structureId: librairie.id,
    items: [{ space: "SOLLICITATIONS_EMISES", access: "write" }],
  })).request;
  must(await app.refuseSubscriptionRequest(bruno, { requestId: chloeSubscription.id, comment: "Réservé aux gestionnaires." }));
  const access = [
    { space: "FACTURES_RECUES", serviceId: service("ACHATS"), access: "write" },
    { space: "FACTURES_RECUES", serviceId: service("PAIE"), access: "read" },
    { space: "FACTURES_EMISES", serviceId: service("ACHATS"), access: "read" },
    { space: "FACTURES_EMISES", serviceId: service("COMPTA"), access: "read" },
    { space: "FACTURES_EMISES", access: "write" },
    { space: "FACTURES_A_VALIDER", serviceId: service("PAIE"), access: "read" },
  ] as const;
  printTable(`L'hôte demande : ${names.get(elodie)} peut-elle… ?`, await Promise.all(access.map(async (q) => ({
    espace: q.space,
    service: "serviceId" in q ? serviceLabel0.get(q.serviceId as string) : "(la structure)",
    accès: q.access === "write" ? "Modification" : "Consultation",
    réponse: must(await app.mayAccess({ userId: elodie, structureId: mairie.id, ...q })) ? "oui" : "non",
  }))));

  // Guide §3 B: a user without an account. Alice creates Hugo's account for the mairie
  // and attaches him to ACHATS in the same act; the account is « En cours d'activation »
  // and the activation e-mail (its token) waits in the outbox for the host's mailer.
  tick(10);
  const hugoCreated = must(await app.createAccount(alice, {
    structureId: mairie.id,
    login: "Hugo.Moreau@mairie-lyon.fr",
    lastName: "Moreau",
    firstName: "Hugo",
    phone: "+33 4 72 10 30 30",
    postalAddress: { street: "1 place de la Comédie", complement: null, postalCode: "69001", city: "Lyon", countryCode: "FR" },
    attach: { role: "user", scope: { kind: "services", serviceIds: [service("ACHATS")] }, validFrom: "2026-11-27", comment: "Nouvel acheteur" },
  })).member;
  const hugo = hugoCreated.id;
  names.set(hugo, "Hugo Moreau");
  process.stdout.write(`\nCompte créé par ${names.get(alice)} : ${hugoCreated.login}, « ${accountStatusLabel[hugoCreated.status]} », ${roleLabel[hugoCreated.role ?? "user"]}\n`);
  const villeurbanne = must(await app.createStructure(alice, {
    designation: "Commune de Villeurbanne", kind: "public", viaPigp: true,
    identifier: { type: "siret", value: "216 902 643 00008" },
  })).structure;
  const pigp = await app.createAccount(alice, { structureId: villeurbanne.id, login: "ines.roux@villeurbanne.fr", lastName: "Roux", firstName: "Inès" });
  process.stdout.write(`Créer un compte pour une structure publique utilisatrice du PIGP : ${pigp.ok ? "accepté ?!" : `${pigp.error.code} — ${errorMessage(pigp.error)}`}\n`);
  // Hugo did not get the e-mail: Alice sends it again. Too soon is refused (throttle);
  // a few minutes later a fresh token replaces the first one.
  const tooSoon = must(await app.sendActivationEmails(alice, { structureId: mairie.id, userIds: [hugo, elodie] }));
  process.stdout.write(`Renvoyer le courriel d'activation (Hugo, Élodie) : ${tooSoon.results.map((r) => `${names.get(r.userId)} → ${r.result.ok ? "envoyé" : r.result.error.code}`).join(" ; ")}\n`);
  tick(3);
  const resent = must(await app.sendActivationEmails(alice, { structureId: mairie.id, userIds: [hugo] }));
  process.stdout.write(`Trois minutes plus tard : ${resent.results.map((r) => `${names.get(r.userId)} → ${r.result.ok ? `envoyé, lien valable jusqu'à ${r.result.value.expiresAt.slice(11, 16)} UTC` : r.result.error.code}`).join(" ; ")}\n`);
  // The host's mailer drains the outbox: only there do the activation e-mails carry their token.
  const tokens: string[] = [];
  must(await app.relayEvents((event) => {
    if (event.type === "ActivationEmailRequested" && event.userId === hugo && event.token !== undefined) tokens.push(event.token);
  }, { limit: 1000 }));
  const [firstToken, newestToken] = [tokens[0] ?? "", tokens[tokens.length - 1] ?? ""];
  tick(5);
  const withOld = await app.activateAccount({ userId: hugo, token: firstToken });
  const activated = await app.activateAccount({ userId: hugo, token: newestToken });
  const twice = await app.activateAccount({ userId: hugo, token: newestToken });
  printTable(`Activation du compte de Hugo (${tokens.length} courriels d'activation envoyés)`, [
    { lien: "celui du premier courriel", résultat: withOld.ok ? "activé ?!" : withOld.error.code },
    { lien: "celui du dernier courriel", résultat: activated.ok ? "compte activé" : activated.error.code },
    { lien: "le même, une seconde fois", résultat: twice.ok ? "activé ?!" : twice.error.code },
  ]);
  // From the public side, nobody learns whether a login exists: same answer either way.
  const taken = must(await app.registerAccount({ login: "hugo.moreau@mairie-lyon.fr", lastName: "X", firstName: "Y" }));
  const fresh = must(await app.registerAccount({ login: "gabriel.fontaine@example.fr", lastName: "Fontaine", firstName: "Gabriel" }));
  process.stdout.write(`\nCréer un compte depuis l'accueil déconnecté, adresse prise puis libre : ${JSON.stringify(taken)} / ${JSON.stringify(fresh)}\n`);
  // Hugo's account is active: his record is his. Alice may read it, not write it; Hugo
  // changes his settings and asks for a new contact address, used once he confirms it.
  const byAlice = await app.updateUser(alice, { structureId: mairie.id, userId: hugo, changes: { settings: { activityNotifications: "weekly" } } });
  process.stdout.write(`Alice modifie le profil de Hugo, compte actif : ${byAlice.ok ? "accepté ?!" : `${byAlice.error.code} — ${errorMessage(byAlice.error)}`}\n`);
  const own = must(await app.updateUser(hugo, { userId: hugo, changes: { settings: { activityNotifications: "weekly" }, contactEmail: "hugo.moreau@laposte.net" } }));
  process.stdout.write(`Hugo modifie son profil : ${own.fields.join(", ")} ; adresse de contact « ${own.pendingContactEmail ?? ""} » en attente de confirmation\n`);
  let confirmation = "";
  must(await app.relayEvents((event) => {
    if (event.type === "ContactEmailConfirmationRequested" && event.userId === hugo && event.token !== undefined) confirmation = event.token;
  }, { limit: 1000 }));
  const confirmed = must(await app.confirmContactEmail(hugo, { token: confirmation }));
  process.stdout.write(`Hugo confirme depuis le lien reçu : adresse de contact ${confirmed.contactEmail} (l'ancienne adresse est prévenue)\n`);
  const hugoInfo = must(await app.getPersonalInformation(alice, { structureId: mairie.id, userId: hugo }));
  printTable("Informations personnelles de Hugo", [{
    nom: `${hugoInfo.general.firstName} ${hugoInfo.general.lastName}`,
    connexion: hugoInfo.general.login,
    contact: hugoInfo.general.contactEmail,
    téléphone: hugoInfo.general.phone,
    adresse: hugoInfo.postalAddress === null ? null : `${hugoInfo.postalAddress.street}, ${hugoInfo.postalAddress.postalCode} ${hugoInfo.postalAddress.city}`,
    statut: accountStatusLabel[hugoInfo.general.status],
    "notifications d'activité": activityNotificationsLabel[hugoInfo.settings.activityNotifications],
  }]);
  // Bruno, manager of the librairie only, attaches Hugo there too. Listing Hugo's
  // structures, he sees the librairie in full and the mairie by its designation only.
  must(await app.attachUser(bruno, {
    structureId: librairie.id, userId: hugo, role: "user", validFrom: "2026-11-27", comment: "Aide le samedi", scope: { kind: "structure" },
  }));
  const hugoStructures = must(await app.listUserStructures(bruno, { structureId: librairie.id, userId: hugo }));
  printTable(`Structures de Hugo, vues par ${names.get(bruno)}`, hugoStructures.map((l) => ({
    structure: l.designation,
    rôle: l.managed ? roleLabel[l.role] : "",
    services: l.managed ? (l.scope.kind === "structure" ? "toute la structure" : l.scope.services.map((x) => x.label).join(", ")) : "",
  })));

  // Guide §5: search the users of one's structures — partial, without accents or capitals —,
  // check some, export them as CSV (a phone « +33 … » comes out as « '+33 … »).
  const found = must(await app.searchUsers(alice, { criteria: { lastName: "lef", firstName: "elodie" } }));
  printTable("Rechercher : nom « lef », prénom « elodie »", found.items.map((u) => ({
    utilisateur: `${u.firstName} ${u.lastName}`,
    connexion: u.login,
    statut: accountStatusLabel[u.status],
    structures: u.structures.map((s) => `${s.designation} (${s.role === null ? "—" : roleLabel[s.role]})`).join(", "),
  })));
  const everyone = must(await app.searchUsers(alice, { criteria: {}, limit: 3 }));
  const next = must(await app.searchUsers(alice, { criteria: {}, limit: 3, cursor: everyone.nextCursor ?? undefined }));
  process.stdout.write(`\nTous les utilisateurs de mes structures, par pages de 3 : ${[everyone, next].map((p) => p.items.map((u) => u.lastName).join(", ")).join(" | ")} …\n`);
  const outsider = must(await app.searchUsers(bruno, { criteria: { structureId: mairie.id } }));
  process.stdout.write(`Bruno cherche dans la mairie, qu'il ne gère pas : ${outsider.items.length} résultat\n`);
  const lookup = must(await app.lookupPerson(bruno, { structureId: librairie.id, lastName: "lefevre", firstName: "ELODIE" }));
  process.stdout.write(`Bruno cherche une personne à rattacher, « lefevre ELODIE » : ${JSON.stringify(lookup.map((p) => ({ nom: `${p.firstName} ${p.lastName}`, connexion: p.maskedLogin, statut: p.status })))}\n`);
  const checked = [found.items[0]?.id, hugo, chloe].filter((id): id is UserId => id !== undefined);
  const csv = must(await app.exportUsers(alice, { userIds: checked }));
  let text = "";
  for await (const chunk of csv.body) text += chunk;
  process.stdout.write(`\nExport CSV des utilisateurs cochés (${csv.fileName}, BOM ${text.startsWith("\uFEFF") ? "présent" : "absent"}) :\n${text.replace("\uFEFF", "").replaceAll("\r\n", "\n")}`);
  process.stdout.write("(Chloé n'est rattachée à la librairie qu'à partir du 1er décembre : ses coordonnées ne sont pas lues avant.)\n");

  // Guide §6 A: Alice, primary manager of three structures, names Bruno for two and Hugo
  // for the third, in one act: all change hands or none. She stays a simple user.
  tick(30);
  const primaries = must(await app.listPrimaryStructures(alice));
  process.stdout.write(`\nStructures dont ${names.get(alice)} est gestionnaire principale : ${primaries.map((s) => s.designation).join(", ")}\n`);
  const notHers = await app.transferPrimaryRole(bruno, { structureIds: [mairie.id], successorId: chloe });
  process.stdout.write(`Bruno, gestionnaire secondaire, tente de transférer le rôle : ${notHers.ok ? "accepté ?!" : `${notHers.error.code} — ${errorMessage(notHers.error)}`}\n`);
  const handed = must(await app.transferPrimaryRole(alice, {
    transfers: [
      { structureId: mairie.id, successorId: bruno },
      { structureId: librairie.id, successorId: bruno },
      { structureId: villeurbanne.id, successorId: hugo },
    ],
  }));
  printTable("Transférer le rôle de gestionnaire principal", handed.transfers.map((t) => ({
    structure: [mairie, librairie, villeurbanne].find((s) => s.id === t.structureId)?.designation,
    "nouveau gestionnaire principal": `${t.primaryManager.firstName} ${t.primaryManager.lastName}`,
    rôle: t.primaryManager.role === null ? "" : roleLabel[t.primaryManager.role],
  })));
  // Guide §6 B: Bruno leaves. Refused until every structure he is primary manager of has a
  // successor; then the transfers and the deactivation happen at once. Chloé leaves too.
  tick(10);
  const noSuccessor = await app.deactivateAccount(bruno, { transfers: [] });
  process.stdout.write(`\nBruno désactive son compte sans successeur : ${noSuccessor.ok ? "accepté ?!" : `${noSuccessor.error.code} — ${errorMessage(noSuccessor.error)}`}\n`);
  const leaving = must(await app.deactivateAccount(bruno, { successorId: alice }));
  const chloeLeaving = must(await app.deactivateAccount(chloe, { transfers: [] }));
  process.stdout.write(`Bruno désigne Alice pour ses ${leaving.transfers.length} structures et désactive son compte : réactivable jusqu'au ${leaving.reactivableUntil.slice(0, 16).replace("T", " ")} UTC\n`);
  // 60 × 24 hours later, whatever daylight saving time did meanwhile: Bruno comes back a
  // minute before the window closes, Chloé a minute after it closed.
  now = new Date(Date.parse(leaving.reactivableUntil) - 60_000);
  const back = await app.reactivateAccount(bruno);
  now = new Date(Date.parse(chloeLeaving.reactivableUntil) + 60_000);
  const late = await app.reactivateAccount(chloe);
  printTable("Réactiver son compte (délai de 60 jours)", [
    { utilisateur: names.get(bruno), quand: "une minute avant la fin du délai", résultat: back.ok ? "compte réactivé (utilisateur simple)" : back.error.code },
    { utilisateur: names.get(chloe), quand: "une minute après la fin du délai", résultat: late.ok ? "réactivé ?!" : late.error.code },
  ]);

  // Beyond the guide (issue 21): rights with an end. Alice attaches Gaëlle to COMPTA for a
  // three-week reinforcement; the host runs the expiry sweep every day: it warns Gaëlle
  // 15 days before her end, once, and records « Expiré » once the end has come. From that
  // day on she has no right, whether the sweep ran or not.
  const gaelle = await register("gaelle.roux@example.fr", "Gaëlle", "Roux");
  const dayFromNow = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  const reinforcementEnd = dayFromNow(21);
  must(await app.attachUser(alice, {
    structureId: mairie.id,
    userId: gaelle,
    role: "user",
    validFrom: dayFromNow(0),
    validUntil: reinforcementEnd,
    comment: "Renfort pour la clôture",
    scope: { kind: "services", serviceIds: [service("COMPTA")] },
  }));
  const tooEarly = await app.changeAttachmentEnd(alice, { structureId: mairie.id, userId: gaelle, validUntil: dayFromNow(0) });
  process.stdout.write(`\nAlice veut faire finir le rattachement de Gaëlle aujourd'hui : ${tooEarly.ok ? "accepté ?!" : `${tooEarly.error.code} — ${errorMessage(tooEarly.error)}`}\n`);
  const sweeps: Record<string, string | number>[] = [];
  let payload: unknown = null;
  let elapsed = 0;
  for (const day of [0, 7, 8, 21, 22]) {
    now = new Date(now.getTime() + (day - elapsed) * 86_400_000);
    elapsed = day;
    const swept = must(await app.recordExpiries());
    if (day === 8)
      payload = must(await app.chorusProListerRattachementsUtilisateur(alice, {
        idStructure: 26300000 + Number(mairie.id.slice(4)),
        adresseEmailConnexionUtilisateur: "gaelle.roux@example.fr",
      }));
    const members = must(await app.listMembers(alice, { structureId: mairie.id, limit: 50 }));
    sweeps.push({
      jour: day,
      date: now.toISOString().slice(0, 10),
      avertissements: swept.warned,
      "droits expirés": swept.expired,
      événements: swept.events.map((e) => e.type).join(", "),
      "Gaëlle en vigueur": members.items.find((m) => m.userId === gaelle)?.inForce === true ? "oui" : "non",
    });
  }
  printTable(`Droits à durée limitée : la tâche quotidienne de l'hôte (fin de Gaëlle le ${reinforcementEnd}, avertie 15 jours avant)`, sweeps);

  // The same facts in Chorus Pro's language (« Structures » API, lister/rattachementsutilisateur):
  // what Alice's back office answered about Gaëlle on day 8, per service, her end as `dateFin`
  // (from day 21 on, Gaëlle is no longer in force: her record is closed to Alice).
  process.stdout.write(`\nChorus Pro, POST /cpro/structures/v1/lister/rattachementsutilisateur (Alice, au sujet de Gaëlle, jour 8) :\n${JSON.stringify(payload, null, 2)}\n`);

  const serviceLabel = new Map([...services].map(([code, id]) => [id as string, code]));
  const describeScope = (scope: { kind: string; serviceIds?: readonly string[] } | undefined) =>
    scope === undefined ? "" : scope.kind === "structure" ? "toute la structure" : (scope.serviceIds ?? []).map((id) => serviceLabel.get(id) ?? id).join(", ");

  for (const structure of [mairie, librairie]) {
    const members = must(await app.listMembers(alice, { structureId: structure.id, limit: 50 }));
    printTable(`Utilisateurs rattachés — ${structure.designation}`, members.items.map((m) => ({
      utilisateur: `${m.firstName} ${m.lastName}`,
      rôle: roleLabel[m.role],
      périmètre: describeScope(m.scope),
      "début de validité": m.validFrom,
      "fin de validité": m.validUntil ?? "",
      "en vigueur": m.inForce ? "oui" : "non",
    })));
    const history = must(await app.readHistory(alice, { structureId: structure.id, limit: 50 }));
    printTable(`Historique — ${structure.designation} (du plus récent au plus ancien)`, history.items.map((e) => ({
      "n°": e.sequence,
      date: e.at.slice(0, 16).replace("T", " "),
      "auteur de l'action": e.actorId === null ? "(automatique)" : names.get(e.actorId),
      utilisateur: e.targetUserId === null ? null : names.get(e.targetUserId),
      commentaires: historyKindLabel[e.kind],
      détail: [
        e.details.role ? roleLabel[e.details.role] : "",
        describeScope(e.details.scope),
        e.details.removedServiceIds ? `retirés : ${describeScope({ kind: "services", serviceIds: e.details.removedServiceIds })}` : "",
        e.details.reason ? `motif : ${e.details.reason}` : "",
        e.details.label ?? "",
        e.details.space ?? "",
        e.details.items
          ? e.details.items.map((i) => `${i.space}${i.serviceId === null ? "" : `/${serviceLabel.get(i.serviceId) ?? i.serviceId}`} (${i.access === "write" ? "modification" : "consultation"})`).join(", ")
          : "",
        e.details.subscriptionScope ? subscriptionScopeLabel[e.details.subscriptionScope] : "",
        e.details.fields ? `champs : ${e.details.fields.join(", ")}` : "",
        e.details.expiresAt ? `lien valable jusqu'au ${e.details.expiresAt.slice(0, 16).replace("T", " ")} UTC` : "",
        e.details.validUntil ? `fin le ${e.details.validUntil}` : "",
        e.details.comment && e.kind !== "userAttached" && e.kind !== "attachmentRequested" ? `« ${e.details.comment} »` : "",
      ].filter((s) => s !== "").join(" · "),
      demande: e.requestId,
    })));
  }

  // Every event was saved with the decision it reports, in the outbox: the host's relay
  // delivers them (at least once; acknowledged ones never come back).
  const delivered: RecordedEvent[] = [];
  const relay = must(await app.relayEvents((event) => {
    delivered.push(event);
  }, { limit: 1000 }));
  printTable(`Événements livrés par le relais de l'hôte (${relay.delivered} livrés, ${relay.failed} en échec)`, delivered.map((e) => ({
    id: e.id,
    type: e.type,
    destinataire:
      e.type === "AttachmentRequested" ? "gestionnaires de la structure" : "userId" in e ? names.get(e.userId) : null,
    détail:
      e.type === "AttachmentRequestRefused"
        ? `motif : ${e.reason}`
        : e.type === "AttachmentRequestValidated"
          ? roleLabel[e.role]
          : e.type === "AttachmentExpiringSoon"
            ? `fin le ${e.validUntil} (dans ${e.daysLeft} jours)`
            : e.type === "AttachmentExpired"
              ? `expiré le ${e.validUntil}`
              : "",
  })));
}
