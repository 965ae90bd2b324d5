import { optionError } from '../base/options/option-checks.js';
import { optionalModule } from '../base/runtime/load-module.js';

/**
 * The parts of the OpenTelemetry metrics API used here, structurally, so that the core's types do
 * not depend on the optional package.
 */
/** The part of an OpenTelemetry `Counter` the guard uses. */
export interface MetricCounter {
  /** Adds to the counter, with bounded attributes. */
  add(value: number, attributes?: Readonly<Record<string, string>>): void;
}
/** The part of an OpenTelemetry `Histogram` the guard uses. */
export interface MetricHistogram {
  /** Records one value, with bounded attributes. */
  record(value: number, attributes?: Readonly<Record<string, string>>): void;
}
/** The part of an OpenTelemetry `Meter` the guard uses. */
export interface Meter {
  /** Creates the counter of decisions. */
  createCounter(name: string, options?: { description?: string; unit?: string }): MetricCounter;
  /** Creates the histogram of decision durations. */
  createHistogram(name: string, options?: { description?: string; unit?: string }): MetricHistogram;
}
/** The part of an OpenTelemetry `MeterProvider` the guard uses (pass your SDK's provider, or let it use the global one). */
export interface MeterProvider {
  /** Returns the meter the guard's counters and histograms are created on. */
  getMeter(name: string, version?: string): Meter;
}

/** What one decision reports to metrics. Every attribute value comes from a bounded set. */
export interface DecisionMeasurement {
  readonly proof: string;
  readonly outcome: 'allow' | 'deny' | 'aborted' | 'shadow-allow' | 'shadow-deny';
  readonly stage: string;
  readonly code?: string | undefined;
  readonly route: string;
  /** Present only for a workload of the configured bounded set. */
  readonly caller?: string | undefined;
  readonly durationSec?: number | undefined;
}

export interface DecisionMetrics {
  /** False when nothing would be recorded (no API, no SDK registered, or metrics off). */
  readonly enabled: boolean;
  record(measurement: DecisionMeasurement): void;
}

/** `true`/absent: the global meter provider when @opentelemetry/api is installed; false: none. */
export type MetricsOption = boolean | { readonly meterProvider: MeterProvider };

const NO_METRICS: DecisionMetrics = { enabled: false, record() {} };

/**
 * OpenTelemetry metrics, with @opentelemetry/api as an optional peer: it is loaded only when a
 * guard is created with metrics on, and a missing package means no metrics, never a failure.
 * Instruments: `wimse.pep.decisions` (counter) and `wimse.pep.authentication.duration` (seconds).
 */
export function createDecisionMetrics(option: MetricsOption | undefined): DecisionMetrics {
  if (option === false) return NO_METRICS;
  if (option !== undefined && option !== true && typeof option?.meterProvider?.getMeter !== 'function') {
    throw optionError('createWorkloadGuard: metrics', 'a boolean or { meterProvider }', option);
  }
  let provider: MeterProvider | undefined = typeof option === 'object' ? option.meterProvider : undefined;
  if (!provider) {
    const api = loadOpenTelemetryApi();
    if (!api) return NO_METRICS;
    provider = api.metrics.getMeterProvider();
    // The API's global provider is a no-op until an SDK is registered (register it before creating
    // the guard): then the guard spends nothing on metrics.
    if (provider.constructor?.name === 'NoopMeterProvider') return NO_METRICS;
  }
  const meter = provider.getMeter('@wimse-pep/core');
  const decisions: MetricCounter = meter.createCounter('wimse.pep.decisions', {
    description: 'WIMSE PEP decisions by proof (mechanism), stage and outcome',
  });
  const duration: MetricHistogram = meter.createHistogram('wimse.pep.authentication.duration', {
    description: 'Time to authenticate one request, by proof and outcome',
    unit: 's',
  });
  return {
    enabled: true,
    record(measurement) {
      const attributes: Record<string, string> = {
        'wimse.proof': measurement.proof,
        'wimse.outcome': measurement.outcome,
        'wimse.stage': measurement.stage,
        'http.route': measurement.route,
      };
      if (measurement.code !== undefined) attributes['wimse.code'] = measurement.code;
      if (measurement.caller !== undefined) attributes['wimse.caller'] = measurement.caller;
      try {
        decisions.add(1, attributes);
        if (measurement.durationSec !== undefined) {
          duration.record(measurement.durationSec, {
            'wimse.proof': measurement.proof,
            'wimse.outcome': measurement.outcome,
          });
        }
      } catch {
        // Metrics never change a decision.
      }
    },
  };
}

interface OpenTelemetryApi {
  readonly metrics: { getMeterProvider(): MeterProvider };
}

function loadOpenTelemetryApi(): OpenTelemetryApi | undefined {
  return optionalModule<OpenTelemetryApi>('@opentelemetry/api');
}
