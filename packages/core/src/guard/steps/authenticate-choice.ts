import { normalizeRouteMigration } from '../../migration/normalize-migration-options.js';
import type { AuditEvent } from '../audit-event.js';
import type { RouteContext } from '../guard-options.js';
import type { GuardSettings } from '../normalize-guard-options.js';
import { acceptedCredentials, askForCredentials, missingCredentials } from './accepted-credentials.js';
import { authenticateMigrating } from './authenticate-migrating.js';
import { authenticateWimse } from './authenticate-wimse.js';
import type { Authentication } from './authentication.js';
import { shadowEvent } from './authentication-event.js';
import type { ProofChoice } from './choose-proof.js';
import { verifyPresentedCredentials } from './verify-presented-credentials.js';

/** Step 2 (or 3, with a migration): the identity the request proves, or the refusal. */
export function authenticateChoice(
  settings: GuardSettings,
  choice: ProofChoice,
  route: RouteContext,
  optional: boolean,
  record: (event: AuditEvent) => void,
): Promise<Authentication> {
  const { verifier, simultaneous, migration } = settings;
  const { request } = choice;
  if (!migration) return authenticateWimse({ request, verifier, optional, simultaneous });
  const routeMigration = normalizeRouteMigration(route.migration, 'route migration');
  const accepted = () => acceptedCredentials(verifier, migration, routeMigration);
  return authenticateMigrating({
    request,
    route: routeMigration,
    routeLabel: route.route,
    optional,
    settings: migration,
    verifyWimse: () => verifyPresentedCredentials({ verifier, request, simultaneous }),
    askForCredentials: (bearerError) => askForCredentials(accepted(), request, verifier, bearerError),
    missingCredentials: () => missingCredentials(accepted(), askForCredentials(accepted(), request, verifier)),
    now: settings.now,
    reportShadow: (outcome) => record(shadowEvent(request, route.route, outcome)),
  });
}
