// A stand-in for the host's mailer and identity provider: what the relay loop delivers
// each event of the outbox to. It only logs. A real host sends e-mails (the activation
// link to `event.login`, a contact confirmation link to `event.address`), tells the
// managers of a new request, disables a login on `AccountDeactivated`, and so on.
import type { RecordedEvent } from "habilitations";

/** What the relay hands each event to: throw to have it delivered again after its lease. */
export type Deliver = (event: RecordedEvent) => Promise<void> | void;

/** How many delivered event ids the stand-in remembers, to drop a redelivery (at least once). */
const REMEMBERED = 10_000;

/**
 * A mailer that logs one line per event, and for the e-mails that carry a token, the
 * request to make with it (this example has no front end to link to). Delivery is at
 * least once: an event seen already (same `event.id`) is skipped.
 *
 * Logging a token is for this local example only: a real mailer sends it to the address
 * it proves and nowhere else (docs/03b-accounts.md).
 */
export function standInMailer(log: (line: string) => void, baseUrl: () => string): Deliver {
  const seen = new Set<string>();
  return (event) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value as string);
    if (event.type === "ActivationEmailRequested" && event.token !== undefined) {
      log(
        `[mailer] ${event.type} ${event.id} → ${event.login}: activate with\n` +
          `  curl -X POST ${baseUrl()}/activations -H 'content-type: application/json' ` +
          `-d '${JSON.stringify({ userId: event.userId, token: event.token })}'`,
      );
      return;
    }
    if (event.type === "ContactEmailConfirmationRequested" && event.token !== undefined) {
      log(
        `[mailer] ${event.type} ${event.id} → ${event.address}: confirm (as ${event.userId}) with\n` +
          `  curl -X POST ${baseUrl()}/me/contact-email/confirmation -H 'x-user-id: ${event.userId}' ` +
          `-H 'content-type: application/json' -d '${JSON.stringify({ token: event.token })}'`,
      );
      return;
    }
    const about = "userId" in event ? ` → ${event.userId}` : "structureId" in event ? ` → structure ${event.structureId}` : "";
    log(`[mailer] ${event.type} ${event.id}${about}`);
  };
}
