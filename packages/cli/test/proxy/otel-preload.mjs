// What an operator's OpenTelemetry SDK setup does, preloaded into the sidecar with
// NODE_OPTIONS=--import: a global meter provider. Here its exporter appends every exported data
// point as a JSON line to $OTEL_TEST_OUT, for the test to read.
import { appendFileSync } from 'node:fs';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

const out = process.env.OTEL_TEST_OUT;
const exporter = {
  export(batch, done) {
    for (const scope of batch.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          appendFileSync(
            out,
            `${JSON.stringify({ name: metric.descriptor.name, attributes: point.attributes, value: point.value })}\n`,
          );
        }
      }
    }
    done({ code: 0 });
  },
  async forceFlush() {},
  async shutdown() {},
};
metrics.setGlobalMeterProvider(
  new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 100 })] }),
);
