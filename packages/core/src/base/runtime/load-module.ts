export * from '#wimse-runtime/load-module.js';
