export * from '#wimse-runtime/keys.js';
