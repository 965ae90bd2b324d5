export * from '#wimse-runtime/random.js';
