export * from '#wimse-runtime/hash.js';
