export * from '#wimse-runtime/address.js';
