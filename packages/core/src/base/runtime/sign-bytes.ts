export * from '#wimse-runtime/sign-bytes.js';
