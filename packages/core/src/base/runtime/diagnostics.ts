export * from '#wimse-runtime/diagnostics.js';
