export * from '#wimse-runtime/bytes.js';
