export * from '#wimse-runtime/files.js';
