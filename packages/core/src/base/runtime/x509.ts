export * from '#wimse-runtime/x509.js';
