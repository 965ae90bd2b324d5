import { decisionChannelHasSubscribers, publishDecision } from '../../observability/decision-channel.js';
import type { DecisionMetrics } from '../../observability/decision-metrics.js';
import type { AuditEvent, AuditSink } from '../audit-event.js';
import { emitAudit } from '../audit-event.js';

export interface DecisionRecorder {
  /** Whether anything receives decisions (an event is built only then: the hot path). */
  observed(): boolean;
  /** One decision, to the audit sink, the diagnostics channel and metrics. */
  record(event: AuditEvent, durationSec?: number): void;
}

export interface DecisionRecorderOptions {
  readonly audit: AuditSink | undefined;
  readonly metrics: DecisionMetrics;
  /** Workloads whose id may appear on metrics (a bounded set); others are `other`. */
  readonly metricWorkloads: ReadonlySet<string>;
}

/** Step 5: the audit trail of every decision, whatever it is. */
export function createDecisionRecorder(options: DecisionRecorderOptions): DecisionRecorder {
  const { audit, metrics, metricWorkloads } = options;
  return {
    observed: () => audit !== undefined || metrics.enabled || decisionChannelHasSubscribers(),
    record(event, durationSec) {
      emitAudit(audit, event);
      publishDecision(event);
      metrics.record({
        proof: event.proof ?? 'none',
        outcome:
          event.stage === 'shadow' ? (event.decision === 'allow' ? 'shadow-allow' : 'shadow-deny') : event.decision,
        stage: event.stage,
        code: event.code,
        route: event.route,
        caller: event.workloadId !== undefined && metricWorkloads.has(event.workloadId) ? event.workloadId : undefined,
        durationSec,
      });
    },
  };
}
