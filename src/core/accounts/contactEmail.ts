// A person's contact address (« adresse électronique de contact ») changes only when the
// person, signed in, confirms it with the link sent to the new address; the old address
// is told. Whoever else proposes an address (a manager creating an account, a public
// registration) can never confirm it in the person's place.
import { addMinutes } from "date-fns/addMinutes";
import { entry, type Recorded } from "../_lib.js";
import type { DomainError } from "../errors.js";
import type { DomainEvent } from "../events.js";
import type { UserId } from "../ids.js";
import type { EmailInitiator, User } from "../model.js";
import { err, ok, type Result } from "../result.js";
import { toInstant, type TransitionContext } from "../time.js";
import { accountStructures } from "./activation.js";
import { withEmailCounted, type ActivationPolicy, type IssuedToken } from "./policy.js";

/** The person confirms a new contact address with the token of the e-mail sent to it. */
export interface ConfirmContactEmail {
  readonly token: string;
}

/**
 * The user with a new contact address waiting for confirmation (replacing any earlier
 * one), the e-mail counted in `by`'s budget, and the event asking the host to send the
 * confirmation link to the new address.
 *
 * @example
 * ```ts
 * const { user, email } = withContactEmailChange(hugo, "hugo.perso@example.fr",
 *   { now, issued, policy: DEFAULT_ACTIVATION_POLICY, by: "self", requestedBy: hugo.id });
 * user.contactEmail; // unchanged until confirmed
 * email.type; // "ContactEmailConfirmationRequested"
 * ```
 */
export function withContactEmailChange(
  user: User,
  address: string,
  ctx: TransitionContext & {
    readonly issued: IssuedToken;
    readonly policy: ActivationPolicy;
    readonly by: EmailInitiator;
    readonly requestedBy: UserId | null;
  },
): { user: User; email: DomainEvent } {
  const requestedAt = toInstant(ctx.now);
  const expiresAt = toInstant(addMinutes(ctx.now, ctx.policy.contactTokenLifetimeMinutes));
  const changed: User = {
    ...withEmailCounted(user, ctx.now, ctx.by),
    contactEmailChange: { address, tokenHash: ctx.issued.tokenHash, requestedAt, expiresAt, requestedBy: ctx.requestedBy },
  };
  return {
    user: changed,
    email: {
      type: "ContactEmailConfirmationRequested",
      at: requestedAt,
      userId: user.id,
      login: user.login,
      address,
      expiresAt,
      token: ctx.issued.token,
    },
  };
}

/** What {@link confirmContactEmail} decided. */
export interface ContactEmailConfirmed extends Recorded {
  readonly user: User;
}

/**
 * The person, signed in, confirms their new contact address with the token of the
 * e-mail sent to it: the address becomes their contact address, and the host is asked
 * to tell the previous one (`ContactEmailChanged`). Only the account's owner confirms:
 * holding the token is not enough (whoever proposed the address may hold it), and
 * holding the account is not enough (the token proves the address).
 *
 * Refusals: `FORBIDDEN` (an account not active), `CONFIRMATION_TOKEN_INVALID` (no
 * address waiting, or another token), `CONFIRMATION_TOKEN_EXPIRED`.
 *
 * History: « Utilisateur modifié » (`fields: ["contactEmail"]`) on every structure of the
 * account.
 *
 * @example
 * ```ts
 * const r = confirmContactEmail(hugo, { token }, { now, tokenHash: hashActivationToken(token) });
 * if (r.ok) r.value.user.contactEmail; // "hugo.perso@example.fr"
 * ```
 */
export function confirmContactEmail(
  actor: User,
  _command: ConfirmContactEmail,
  ctx: TransitionContext & { readonly tokenHash: string },
): Result<ContactEmailConfirmed, DomainError> {
  if (actor.status !== "active") return err({ code: "FORBIDDEN", actorId: actor.id, structureId: null, reason: "accountNotActive" });
  const change = actor.contactEmailChange;
  if (change === null || change.tokenHash !== ctx.tokenHash) return err({ code: "CONFIRMATION_TOKEN_INVALID", userId: actor.id });
  const at = toInstant(ctx.now);
  if (at >= change.expiresAt) return err({ code: "CONFIRMATION_TOKEN_EXPIRED", userId: actor.id, expiredAt: change.expiresAt });
  const user: User = { ...actor, contactEmail: change.address, contactEmailChange: null };
  return ok({
    user,
    history: accountStructures(actor).map((s) => entry("userModified", at, s, actor.id, actor.id, { fields: ["contactEmail"] })),
    events: [
      {
        type: "ContactEmailChanged",
        at,
        userId: actor.id,
        login: actor.login,
        previousContactEmail: actor.contactEmail,
        contactEmail: change.address,
      },
    ],
  });
}
