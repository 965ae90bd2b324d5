import { publication } from '../base/runtime/diagnostics.js';

/** The `node:diagnostics_channel` name on which every audit event is published. */
export const decisionChannelName = 'wimse-pep:decision';

const decisionChannel = publication<object>(decisionChannelName);

/** Publishes one audit event (identifiers and outcomes only) when anyone subscribes. */
export function publishDecision(event: object): void {
  if (!decisionChannel.hasSubscribers) return;
  try {
    decisionChannel.publish(event);
  } catch {
    // A failing subscriber never changes a decision.
  }
}

/** Whether anyone listens (so that an event is built only when it is received). */
export function decisionChannelHasSubscribers(): boolean {
  return decisionChannel.hasSubscribers;
}
