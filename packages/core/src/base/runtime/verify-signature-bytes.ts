export * from '#wimse-runtime/verify-signature-bytes.js';
