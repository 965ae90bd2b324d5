export * from '#wimse-runtime/backend.js';
