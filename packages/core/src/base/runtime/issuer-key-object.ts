export * from '#wimse-runtime/issuer-key-object.js';
