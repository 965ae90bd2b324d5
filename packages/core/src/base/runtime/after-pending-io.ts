export * from '#wimse-runtime/after-pending-io.js';
